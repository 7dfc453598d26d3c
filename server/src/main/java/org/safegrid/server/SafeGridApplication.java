package org.safegrid.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The SafeGrid server: one deployable that runs the API, the map, the engine and in-process ingest workers. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SafeGridApplication {
  public static void main(String[] args) {
    SpringApplication.run(SafeGridApplication.class, args);
  }
}
