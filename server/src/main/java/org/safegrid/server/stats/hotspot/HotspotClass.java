package org.safegrid.server.stats.hotspot;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The significance class of one unit after the False Discovery Rate correction: hot or cold at
 * 99, 95 or 90 % confidence, not significant, or no neighbours (not testable).
 */
public enum HotspotClass {
  HOT99("hot99", 1, 0.01),
  HOT95("hot95", 1, 0.05),
  HOT90("hot90", 1, 0.10),
  NONE("none", 0, 1),
  COLD90("cold90", -1, 0.10),
  COLD95("cold95", -1, 0.05),
  COLD99("cold99", -1, 0.01),
  NO_NEIGHBOURS("no_neighbours", 0, 1),
  /** Left out of the analysis by the caller's rule (e.g. a cell with too little land). */
  EXCLUDED("excluded", 0, 1);

  private final String code;
  private final int sign;
  private final double alpha;

  HotspotClass(String code, int sign, double alpha) {
    this.code = code;
    this.sign = sign;
    this.alpha = alpha;
  }

  /** The API name: {@code hot99}, {@code cold90}, {@code none}, {@code no_neighbours}. */
  @JsonValue
  public String code() {
    return code;
  }

  public boolean isHot() {
    return sign > 0;
  }

  public boolean isCold() {
    return sign < 0;
  }

  public boolean isSignificant() {
    return sign != 0;
  }

  /** Confidence in percent (99, 95, 90) or 0 for non-significant classes. */
  public int confidence() {
    return sign == 0 ? 0 : (int) Math.round((1 - alpha) * 100);
  }

  /** True when this class is significant at {@code minConfidence} percent or more. */
  public boolean atLeast(int minConfidence) {
    return isSignificant() && confidence() >= minConfidence;
  }

  public static HotspotClass of(int sign, int confidence) {
    if (sign == 0 || confidence == 0) {
      return NONE;
    }
    return switch (confidence) {
      case 99 -> sign > 0 ? HOT99 : COLD99;
      case 95 -> sign > 0 ? HOT95 : COLD95;
      case 90 -> sign > 0 ? HOT90 : COLD90;
      default -> throw new IllegalArgumentException("confidence must be 90, 95 or 99");
    };
  }

  public static HotspotClass fromCode(String code) {
    for (HotspotClass c : values()) {
      if (c.code.equalsIgnoreCase(code)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown hotspot class " + code);
  }
}
