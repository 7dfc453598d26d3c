# SafeGrid server image (also runs standalone ingest workers: see docker-compose.yml).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY gis-data/pom.xml gis-data/pom.xml
COPY ingest/pom.xml ingest/pom.xml
COPY web/pom.xml web/pom.xml
COPY server/pom.xml server/pom.xml
RUN mvn -B -q dependency:go-offline -DexcludeArtifactIds=safegrid-gis-data,safegrid-ingest,safegrid-web || true
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# GDAL's ogr2ogr reads uploaded Shapefiles (health component uploadReaders; 503 without it); wget for HEALTHCHECK
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdal-bin wget \
 && rm -rf /var/lib/apt/lists/* \
 && ogr2ogr --version
RUN useradd --system --uid 10001 safegrid
WORKDIR /app
COPY --from=build /src/server/target/safegrid-server.jar /app/safegrid-server.jar
USER safegrid
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s CMD wget -qO- http://127.0.0.1:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/safegrid-server.jar"]
