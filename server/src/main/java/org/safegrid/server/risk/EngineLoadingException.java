package org.safegrid.server.risk;

/**
 * A risk or hotspot question asked while the live engine loads its first grid (the last week of
 * events): there will be an answer shortly, so it is refused with "retry", not "not found".
 */
public class EngineLoadingException extends RuntimeException {

  public EngineLoadingException() {
    super("the risk engine is still loading the active grid set and its recent events; try again shortly");
  }
}
