#!/bin/sh
# Makes Kafka's CA, TLS key pair and users' passwords in /secrets/all at first start (kept afterwards),
# then one folder per service holding only what that service needs, owned by the user it runs as.
set -eu
java -cp /app/safegrid-server.jar -Dloader.main=org.safegrid.ingest.broker.BrokerSecurity \
  org.springframework.boot.loader.launch.PropertiesLauncher \
  --dir /secrets/all --export-broker /secrets/broker \
  --export-client safegrid-server /secrets/server --export-client safegrid-ingest /secrets/ingest
# apache/kafka runs as uid 1000, the SafeGrid image as uid 10001 (Dockerfile)
chown -R 1000:1000 /secrets/broker
chown -R 10001:10001 /secrets/server /secrets/ingest
chmod 0711 /secrets
