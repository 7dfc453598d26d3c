package org.safegrid.server.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Security settings ({@code safegrid.security.*}).
 *
 * @param adminPassword password given to the {@code admin} account when it is first created; when
 *                      blank a random one is generated and logged once (there is no default password)
 */
@ConfigurationProperties("safegrid.security")
public record SecurityProperties(String adminPassword) {
}
