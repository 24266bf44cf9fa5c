/** The HTTP front end of kvcache: a Jetty 12 core handler and a standalone server (not built yet). */
package dev.kvcache.http;
