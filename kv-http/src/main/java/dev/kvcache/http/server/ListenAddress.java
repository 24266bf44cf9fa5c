package dev.kvcache.http.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address {@code --host} names: every interface, only this machine, or some other address. Protected mode
 * and the start's warnings depend on which, and {@link ConfigRules} refuses a name that does not resolve.
 *
 * @param host the configured host: an IP address (an IPv6 one bracketed or not), a name, or {@code *}
 */
record ListenAddress(String host) {
    /** @return the host without the brackets an IPv6 address may carry, as the resolver takes it */
    String bare() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** @return whether the host, without brackets, resolves to at least one address */
    boolean resolves() {
        try {
            InetAddress.getAllByName(bare());
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * @return the host for Jetty's connector to bind: as given, but {@code null} for {@code *}, which Jetty
     *     would resolve as a name (and fail to bind); {@code null} is its every interface, IPv4 and IPv6
     */
    String bindHost() {
        return host.equals("*") ? null : host;
    }

    /** @return whether the host listens on every interface */
    boolean allInterfaces() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    /**
     * @return whether the host is a loopback address (127.0.0.0/8, ::1, localhost), reachable only from
     *     this machine; a name is resolved, and counts only if every address it resolves to is loopback
     */
    boolean loopbackOnly() {
        if (allInterfaces()) {
            return false;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(bare())) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
