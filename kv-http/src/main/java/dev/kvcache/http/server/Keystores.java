package dev.kvcache.http.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;

/**
 * Reads the {@code --tls-keystore} before Jetty does, so that what is wrong with it is reported in
 * one sentence naming the flag (Jetty and the JDK report {@code "password" is null} or
 * {@code toDerInputStream rejects tag type 35}), and so that the certificate can be logged.
 */
final class Keystores {
    private Keystores() {}

    /**
     * The server's certificate, as the start-up log shows it.
     *
     * @param password the password that opened the keystore ({@code ""} when none was given and none
     *     was needed)
     */
    record ServerCertificate(String subject, Instant notAfter, String password) {}

    /**
     * Opens a PKCS12 keystore and finds its key.
     *
     * @param file the keystore file
     * @param password its password, or {@code null} if none was given (an empty one is tried)
     * @return the certificate of the first key entry
     * @throws IllegalArgumentException if the file is missing, unreadable, not PKCS12, the password is
     *     missing or wrong, or it holds no key with a certificate; the message says which
     */
    static ServerCertificate open(Path file, String password) {
        String flag = "--tls-keystore " + file;
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(flag + " is a directory; give the PKCS12 file");
        }
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore keystore;
        try (InputStream in = Files.newInputStream(file)) {
            keystore = KeyStore.getInstance("PKCS12");
            keystore.load(in, secret);
            for (String alias : Collections.list(keystore.aliases())) {
                if (keystore.isKeyEntry(alias)) {
                    keystore.getKey(alias, secret); // Jetty reads the key with the keystore's password too
                    Certificate certificate = keystore.getCertificate(alias);
                    if (certificate instanceof X509Certificate x509) {
                        return new ServerCertificate(x509.getSubjectX500Principal().getName(),
                                x509.getNotAfter().toInstant(), password == null ? "" : password);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(flag + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(flag + ": permission denied, the server cannot read it");
        } catch (UnrecoverableKeyException e) {
            throw passwordProblem(flag, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw passwordProblem(flag, password);
            }
            throw new IllegalArgumentException(flag + " is not a PKCS12 keystore (.p12 or .pfx); convert a PEM"
                    + " key and certificate with: openssl pkcs12 -export -in cert.pem -inkey key.pem -out server.p12");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(flag + " cannot be read as a PKCS12 keystore: " + e.getMessage());
        }
        throw new IllegalArgumentException(flag + " holds no private key with its certificate: the server needs"
                + " both (keytool -list -keystore FILE shows the entries)");
    }

    private static IllegalArgumentException passwordProblem(String flag, String password) {
        return new IllegalArgumentException(password == null
                ? flag + " needs its password: set KV_TLS_PASSWORD, or give --tls-password-file FILE"
                : flag + ": wrong password (from --tls-password, --tls-password-file or KV_TLS_PASSWORD)");
    }
}
