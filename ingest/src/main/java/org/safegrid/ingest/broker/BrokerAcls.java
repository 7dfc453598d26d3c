package org.safegrid.ingest.broker;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.safegrid.ingest.event.Source;

/**
 * What each SafeGrid principal may do on the broker; everything else is denied (the broker runs
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}).
 *
 * <pre>
 * src-&lt;source&gt;     WRITE, DESCRIBE  topic safegrid.events.&lt;source&gt;      (its own topic only)
 * safegrid-ingest   READ, DESCRIBE, CREATE  topics safegrid.events.*   (event topics and the DLQ)
 *                   WRITE           topic safegrid.events.dlq
 *                   READ            groups safegrid*
 * safegrid-server   WRITE, DESCRIBE, CREATE  topics safegrid.alerts, safegrid.incidents
 *                   + the ingest rights (the server hosts the ingest workers by default)
 * safegrid-admin    super user (loopback listeners of the local broker only)
 * &lt;integrator&gt;      WRITE, DESCRIBE  topics safegrid.events.&lt;source&gt;.&lt;integrator&gt; (its own, each
 *                   source; {@link #integratorBindings}, granted by an operator, not at start)
 * </pre>
 */
public final class BrokerAcls {

  /** The alerts topic the server writes. */
  public static final String ALERTS_TOPIC = "safegrid.alerts";
  /** The incidents topic the server writes. */
  public static final String INCIDENTS_TOPIC = "safegrid.incidents";

  /**
   * What an integrator principal's name may be: letters, digits, {@code _} and {@code -}, at most 64;
   * no dot, so the principal is the whole last part of its topic's name (the table
   * {@code source_binding} checks the same).
   */
  public static final java.util.regex.Pattern INTEGRATOR_PRINCIPAL = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private BrokerAcls() {
  }

  /** Every ACL of the SafeGrid principals. */
  public static List<AclBinding> bindings() {
    List<AclBinding> b = new ArrayList<>();
    for (Source s : Source.values()) {
      String p = BrokerSecurity.sourcePrincipal(s);
      ResourcePattern own = topic(Source.TOPIC_PREFIX + s.wireName(), PatternType.LITERAL);
      b.add(allow(own, p, AclOperation.WRITE));
      b.add(allow(own, p, AclOperation.DESCRIBE));
    }
    for (String reader : List.of(BrokerSecurity.INGEST, BrokerSecurity.SERVER)) {
      ResourcePattern events = topic(Source.TOPIC_PREFIX, PatternType.PREFIXED);
      b.add(allow(events, reader, AclOperation.READ));
      b.add(allow(events, reader, AclOperation.DESCRIBE));
      b.add(allow(events, reader, AclOperation.CREATE));
      b.add(allow(topic(Source.TOPIC_PREFIX + "dlq", PatternType.LITERAL), reader, AclOperation.WRITE));
      b.add(allow(new ResourcePattern(ResourceType.GROUP, "safegrid", PatternType.PREFIXED), reader,
          AclOperation.READ));
    }
    for (String t : List.of(ALERTS_TOPIC, INCIDENTS_TOPIC)) {
      ResourcePattern r = topic(t, PatternType.LITERAL);
      b.add(allow(r, BrokerSecurity.SERVER, AclOperation.WRITE));
      b.add(allow(r, BrokerSecurity.SERVER, AclOperation.DESCRIBE));
      b.add(allow(r, BrokerSecurity.SERVER, AclOperation.CREATE));
    }
    return List.copyOf(b);
  }

  /**
   * The ACLs of an integrator principal: WRITE and DESCRIBE on its own topic of each source,
   * {@code safegrid.events.<source>.<principal>}, and nothing else. Literal names, not a prefix: a
   * prefix {@code safegrid.events.camera.acme} would also cover {@code safegrid.events.camera.acme2}, the
   * topic of another principal, whose events the workers would then attribute to that principal.
   */
  public static List<AclBinding> integratorBindings(String principal) {
    if (!INTEGRATOR_PRINCIPAL.matcher(principal).matches()) {
      throw new IllegalArgumentException("an integrator principal is 1-64 letters, digits, '_' or '-': " + principal);
    }
    if (BrokerSecurity.PRINCIPALS.contains(principal)) {
      throw new IllegalArgumentException(principal + " is one of SafeGrid's own principals, not an integrator");
    }
    List<AclBinding> b = new ArrayList<>();
    for (String t : integratorTopics(principal)) {
      ResourcePattern own = topic(t, PatternType.LITERAL);
      b.add(allow(own, principal, AclOperation.WRITE));
      b.add(allow(own, principal, AclOperation.DESCRIBE));
    }
    return List.copyOf(b);
  }

  /** An integrator principal's own topics, one per source: {@code safegrid.events.<source>.<principal>}. */
  public static List<String> integratorTopics(String principal) {
    List<String> t = new ArrayList<>();
    for (Source s : Source.values()) {
      t.add(Source.TOPIC_PREFIX + s.wireName() + "." + principal);
    }
    return t;
  }

  private static ResourcePattern topic(String name, PatternType type) {
    return new ResourcePattern(ResourceType.TOPIC, name, type);
  }

  private static AclBinding allow(ResourcePattern r, String user, AclOperation op) {
    return new AclBinding(r, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }
}
