/** JMH benchmarks, the load generator and property-based tests for kvcache. */
package dev.kvcache.bench;
