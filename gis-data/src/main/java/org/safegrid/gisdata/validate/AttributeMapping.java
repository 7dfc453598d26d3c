package org.safegrid.gisdata.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which attribute holds a feature's code, name, district code, town code and town name.
 *
 * <p>Guessed from common field names (English, pinyin initials such as {@code WGBM}, and Chinese)
 * unless the user names a field; {@link #guessed()} lists the roles that were guessed.
 *
 * @param codeField     field of the unique code (grid code, district adcode), or null if none found
 * @param nameField     field of the display name, or null
 * @param districtField field of the district code, or null
 * @param townField     field of the town/street code, or null
 * @param townNameField field of the town/street name, or null
 * @param guessed       roles (code, name, district, town, townName) whose field was guessed
 */
public record AttributeMapping(
    String codeField, String nameField, String districtField, String townField, String townNameField,
    Set<String> guessed) {

  private static final List<String> CODE = List.of("grid_code", "gridcode", "code", "wgbm", "wgdm", "wg_code",
      "网格编码", "网格代码", "编码", "代码", "adcode", "bm", "dm", "id");
  private static final List<String> NAME = List.of("grid_name", "gridname", "name", "wgmc", "网格名称", "名称", "mc",
      "xm", "school", "学校名称");
  private static final List<String> DISTRICT = List.of("district_code", "districtcode", "district", "qxdm", "xzqdm",
      "county_code", "区县代码", "区县编码", "行政区代码", "parent_code");
  private static final List<String> TOWN = List.of("town_code", "towncode", "street_code", "jddm", "xzdm", "town",
      "乡镇代码", "街道代码", "街道编码");
  private static final List<String> TOWN_NAME = List.of("town_name", "townname", "street_name", "street", "jdmc",
      "xzmc", "乡镇名称", "街道名称", "街道");

  /** A mapping that names fields explicitly; nulls are guessed by {@link #resolve}. */
  public static AttributeMapping of(String codeField, String nameField, String districtField, String townField) {
    return new AttributeMapping(codeField, nameField, districtField, townField, null, Set.of());
  }

  public static AttributeMapping none() {
    return of(null, null, null, null);
  }

  /**
   * Fills roles not given with guesses from the file's fields; refuses a named field the file lacks.
   */
  public AttributeMapping resolve(LayerKind layer, List<String> fields) {
    Set<String> g = new TreeSet<>();
    String code = pick("codeField", codeField, layer == LayerKind.DISTRICTS ? withFirst("adcode", CODE) : CODE,
        fields, g, "code");
    String name = pick("nameField", nameField, NAME, fields, g, "name");
    String district = pick("districtField", districtField, DISTRICT, fields, g, "district");
    String town = pick("townField", townField, TOWN, fields, g, "town");
    String townName = pick("townNameField", townNameField, TOWN_NAME, fields, g, "townName");
    if (district != null && district.equals(code)) {
      district = null;
      g.remove("district");
    }
    if (townName != null && (townName.equals(town) || townName.equals(name))) {
      townName = null;
      g.remove("townName");
    }
    return new AttributeMapping(code, name, district, town, townName, g);
  }

  private static List<String> withFirst(String first, List<String> rest) {
    List<String> l = new ArrayList<>();
    l.add(first);
    l.addAll(rest);
    return l;
  }

  private static String pick(String param, String given, List<String> candidates, List<String> fields,
      Set<String> guessed, String role) {
    if (given != null && !given.isBlank()) {
      for (String f : fields) {
        if (f.equals(given) || f.equalsIgnoreCase(given)) {
          return f;
        }
      }
      throw new IllegalArgumentException(param + " \"" + given + "\" is not a field of the file; its fields are "
          + fields + ".");
    }
    for (String c : candidates) {
      for (String f : fields) {
        if (f.toLowerCase(Locale.ROOT).equals(c)) {
          guessed.add(role);
          return f;
        }
      }
    }
    return null;
  }
}
