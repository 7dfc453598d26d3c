package org.safegrid.ingest.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * Creates (or resets to the security folder's passwords) the SCRAM users of {@link BrokerSecurity#PRINCIPALS}
 * and the ACLs of {@link BrokerAcls}, as the administrator over SASL PLAIN. Both operations are
 * idempotent. The embedded broker runs it at every start through its loopback listener; the compose
 * stack's one-shot {@code kafka-init} service runs {@link #main} against the broker's {@code BROKER}
 * listener (SASL_SSL, PLAIN, not published outside the compose network).
 */
public final class BrokerBootstrap {

  private BrokerBootstrap() {
  }

  /**
   * Applies users and ACLs.
   *
   * @param admin    bootstrap address and security protocol of a listener that accepts the administrator
   *                 with SASL PLAIN; the SASL settings are added here
   * @param security the passwords
   */
  public static void apply(Properties admin, BrokerSecurity security) {
    Properties a = new Properties();
    a.putAll(admin);
    a.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    a.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + BrokerSecurity.ADMIN + "\" password=\"" + security.password(BrokerSecurity.ADMIN) + "\";");
    try (Admin client = Admin.create(a)) {
      List<UserScramCredentialAlteration> users = new ArrayList<>();
      for (String user : BrokerSecurity.PRINCIPALS) {
        users.add(new UserScramCredentialUpsertion(user,
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), security.password(user)));
      }
      client.alterUserScramCredentials(users).all().get(60, TimeUnit.SECONDS);
      client.createAcls(BrokerAcls.bindings()).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the Kafka users and ACLs: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the Kafka users and ACLs", e);
    }
  }

  /**
   * Gives an integrator principal access (idempotent): its SCRAM-SHA-512 user with this password, the
   * ACLs of {@link BrokerAcls#integratorBindings} and its own topics (it may only write them, not create
   * them). Which devices it may speak for is the device registry's business (docs/security.md).
   *
   * @param admin      an admin client connected as a super user
   * @param partitions partitions of each new topic
   */
  public static void grantIntegrator(Admin admin, String principal, String password, int partitions)
      throws ExecutionException, TimeoutException, InterruptedException {
    List<org.apache.kafka.common.acl.AclBinding> acls = BrokerAcls.integratorBindings(principal);
    admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(principal,
        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(60, TimeUnit.SECONDS);
    admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
    java.util.Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
    List<org.apache.kafka.clients.admin.NewTopic> missing = BrokerAcls.integratorTopics(principal).stream()
        .filter(t -> !existing.contains(t)).map(t -> new org.apache.kafka.clients.admin.NewTopic(t, partitions, (short) 1))
        .toList();
    try {
      admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw e;
      }
    }
  }

  /** {@code BrokerBootstrap --bootstrap kafka:9091 --security-dir DIR}: users and ACLs over SASL_SSL PLAIN. */
  public static void main(String[] args) {
    String bootstrap = null;
    Path dir = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[i + 1];
        case "--security-dir" -> dir = Path.of(args[i + 1]);
        default -> bootstrap = null;
      }
    }
    if (bootstrap == null || dir == null) {
      System.err.println("usage: BrokerBootstrap --bootstrap host:port --security-dir DIR");
      System.exit(2);
    }
    EmbeddedBroker.quietLogging();
    BrokerSecurity security = BrokerSecurity.loadOrCreate(dir);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", security.truststore().toString());
    p.put("ssl.truststore.password", security.client(BrokerSecurity.ADMIN).truststorePassword());
    apply(p, security);
    System.out.println("Kafka users " + BrokerSecurity.PRINCIPALS + " and " + BrokerAcls.bindings().size()
        + " ACLs in place on " + bootstrap);
  }
}
