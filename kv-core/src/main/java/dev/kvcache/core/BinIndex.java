package dev.kvcache.core;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ordered index of one long bin of a {@link NodeTable} segment, so that keys which share a hash
 * (or its low bits: a hash flood) cost O(log n) per operation instead of O(n). It indexes the bin's
 * existing nodes and never replaces them: the chain stays complete and sorted, and the timer wheel
 * and eviction queues keep referring to the same nodes.
 *
 * <h2>Readers</h2>
 * Lock-free readers search {@link #find}: keys of one Comparable class ({@link #keyClass}, chosen when
 * the index is built) sit in a persistent treap ordered by the chain's order of hashes, then by
 * {@code compareTo}; every other key sits in a persistent list searched linearly (so colliding keys
 * that are not mutually Comparable stay correct, at linear cost). A key not found in its own half is
 * looked for in the other by hash and {@code equals} (a key may equal one of another class). Both are immutable and published
 * through volatile fields, so a reader sees one consistent version. Keys whose {@code compareTo} is
 * 0 but which are not {@code equals} are all searched, so an order inconsistent with equals costs
 * time, never correctness.
 *
 * <h2>Writers</h2>
 * Under the segment lock, writers also use it to find a node's chain predecessor and a new node's
 * place in the chain in O(log n): {@link #prev} maps each node to its predecessor (null for the
 * bin's head), {@link #runFirst} maps each hash in the bin (as its chain order) to the first node of
 * its run of equal hashes. A new node of a known hash goes right after its run's first node; a new
 * hash goes before the next run, or at the tail.
 */
final class BinIndex<K, V> {
    /** The Comparable class whose keys the treap holds; null if no key of the bin had one. */
    private final Class<?> keyClass;

    /* Reader-visible, replaced (never mutated) by writers. */
    private volatile Tree<K, V> tree;
    private volatile Others<K, V> others;

    /* Writer-only: guarded by the segment lock. */
    private final IdentityHashMap<Node<K, V>, Node<K, V>> prev = new IdentityHashMap<>();
    private final TreeMap<Integer, Node<K, V>> runFirst = new TreeMap<>(Integer::compareUnsigned);
    private Node<K, V> tail;
    private int size;

    /** Indexes the chain from {@code head} up to, not including, {@code end} (null: to the end). Lock held. */
    BinIndex(Node<K, V> head, Node<K, V> end, Object preferredKey) {
        Class<?> c = comparableClassFor(preferredKey);
        for (Node<K, V> n = head; c == null && n != end; n = n.next) {
            c = comparableClassFor(n.key);
        }
        keyClass = c;
        Node<K, V> before = null;
        for (Node<K, V> n = head; n != end; n = n.next) {
            add(n);
            prev.put(n, before);
            runFirst.putIfAbsent(NodeTable.order(n.hash), n);
            before = n;
        }
        tail = before;
    }

    int size() {
        return size;
    }

    /** The node mapped to {@code key}, or null. Lock-free; O(log n) for keys of {@link #keyClass}. */
    Node<K, V> find(Object key, int hash) {
        // A key may equal one of another class (equals that accepts subclasses, as BigInteger's does),
        // so the half that does not hold the key's own class is searched too, by hash and equals only.
        boolean treeKey = key.getClass() == keyClass;
        Node<K, V> found = treeKey ? Tree.find(tree, NodeTable.order(hash), key, true) : null;
        if (found != null) {
            return found;
        }
        for (Others<K, V> o = others; o != null; o = o.next) {
            Node<K, V> n = o.node;
            if (n.hash == hash && (n.key == key || key.equals(n.key))) {
                return n;
            }
        }
        return treeKey ? null : Tree.find(tree, NodeTable.order(hash), key, false);
    }

    /** The node after which {@code node} is chained, or null if it heads the bin. Lock held. */
    Node<K, V> predecessor(Node<K, V> node) {
        return prev.get(node);
    }

    /**
     * Adds a new key's node to the searchable index, and returns the node to chain it after (null:
     * the bin's head). Call before linking it, then {@link #linked}: readers that consult the index
     * see the key no later than readers that walk the chain. Lock held.
     */
    Node<K, V> addNew(Node<K, V> node) {
        add(node);
        int order = NodeTable.order(node.hash);
        Node<K, V> first = runFirst.get(order);
        if (first != null) {
            return first; // within its run: any place in it keeps the chain sorted
        }
        Map.Entry<Integer, Node<K, V>> next = runFirst.higherEntry(order);
        return next != null ? prev.get(next.getValue()) : tail;
    }

    /** Records that {@code node} was chained after {@code after} (null: at the head). Lock held. */
    void linked(Node<K, V> node, Node<K, V> after) {
        prev.put(node, after);
        if (node.next != null) {
            prev.put(node.next, node);
        } else {
            tail = node;
        }
        runFirst.putIfAbsent(NodeTable.order(node.hash), node);
    }

    /** Puts {@code created} in the place of {@code replaced}, which it succeeds in the chain. Lock held. */
    void replaced(Node<K, V> replaced, Node<K, V> created) {
        int order = NodeTable.order(replaced.hash);
        if (isTreeKey(replaced)) {
            tree = Tree.replace(tree, replaced, created, order);
        } else {
            others = Others.replace(others, replaced, created);
        }
        prev.put(created, prev.remove(replaced));
        if (created.next != null) {
            prev.put(created.next, created);
        } else {
            tail = created;
        }
        runFirst.replace(order, replaced, created);
    }

    /** Removes {@code node}, which was just unlinked from the chain (its next still points on). Lock held. */
    void unlinked(Node<K, V> node) {
        int order = NodeTable.order(node.hash);
        if (isTreeKey(node)) {
            tree = Tree.remove(tree, node, order);
        } else {
            others = Others.remove(others, node);
        }
        size--;
        Node<K, V> before = prev.remove(node);
        Node<K, V> after = node.next;
        if (after != null) {
            prev.put(after, before);
        } else {
            tail = before;
        }
        if (runFirst.get(order) == node) {
            if (after != null && after.hash == node.hash) {
                runFirst.put(order, after);
            } else {
                runFirst.remove(order);
            }
        }
    }

    /** The depth of the treap: O(log n) expected whatever the keys, as its priorities are random. */
    int depth() {
        return Tree.depth(tree);
    }

    private void add(Node<K, V> node) {
        if (isTreeKey(node)) {
            tree = Tree.insert(tree, node, NodeTable.order(node.hash), ThreadLocalRandom.current().nextInt());
        } else {
            others = new Others<>(node, others);
        }
        size++;
    }

    private boolean isTreeKey(Node<K, V> node) {
        return node.key.getClass() == keyClass;
    }

    /** {@code x}'s class if it is {@code C implements Comparable<C>}, so its keys compare with each other. */
    static Class<?> comparableClassFor(Object x) {
        if (!(x instanceof Comparable)) {
            return null;
        }
        Class<?> c = x.getClass();
        if (c == String.class) {
            return c;
        }
        for (Type t : c.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p && p.getRawType() == Comparable.class
                    && p.getActualTypeArguments()[0] == c) {
                return c;
            }
        }
        return null;
    }

    /** An immutable treap node; each write copies the path it changes. */
    private static final class Tree<K, V> {
        final Node<K, V> node;
        final Tree<K, V> left;
        final Tree<K, V> right;
        final int priority;

        Tree(Node<K, V> node, Tree<K, V> left, Tree<K, V> right, int priority) {
            this.node = node;
            this.left = left;
            this.right = right;
            this.priority = priority;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        static int compare(int order, Object key, Node<?, ?> n) {
            int c = Integer.compareUnsigned(order, NodeTable.order(n.hash));
            return c != 0 ? c : ((Comparable) key).compareTo(n.key);
        }

        /**
         * The node of {@code key} among those of hash order {@code order}: ordered by {@code compareTo} too
         * if {@code ordered} (the key is of the treap's class), else every node of that order is compared
         * by {@code equals} (a key of another class may still equal one).
         */
        static <K, V> Node<K, V> find(Tree<K, V> t, int order, Object key, boolean ordered) {
            while (t != null) {
                int c = ordered ? compare(order, key, t.node) : Integer.compareUnsigned(order, NodeTable.order(t.node.hash));
                if (c < 0) {
                    t = t.left;
                } else if (c > 0) {
                    t = t.right;
                } else {
                    if (t.node.key == key || key.equals(t.node.key)) {
                        return t.node;
                    }
                    Node<K, V> n = find(t.left, order, key, ordered); // equal order, not equal: search both sides
                    if (n != null) {
                        return n;
                    }
                    t = t.right;
                }
            }
            return null;
        }

        static <K, V> Tree<K, V> insert(Tree<K, V> t, Node<K, V> node, int order, int priority) {
            if (t == null) {
                return new Tree<>(node, null, null, priority);
            }
            if (compare(order, node.key, t.node) < 0) {
                Tree<K, V> l = insert(t.left, node, order, priority);
                return l.priority > t.priority
                        ? new Tree<>(l.node, l.left, new Tree<>(t.node, l.right, t.right, t.priority), l.priority)
                        : new Tree<>(t.node, l, t.right, t.priority);
            }
            Tree<K, V> r = insert(t.right, node, order, priority);
            return r.priority > t.priority
                    ? new Tree<>(r.node, new Tree<>(t.node, t.left, r.left, t.priority), r.right, r.priority)
                    : new Tree<>(t.node, t.left, r, t.priority);
        }

        /** {@code t} without {@code node} (by identity), which it holds. */
        static <K, V> Tree<K, V> remove(Tree<K, V> t, Node<K, V> node, int order) {
            return rewrite(t, node, order, null);
        }

        /** {@code t} with {@code created} in the place of {@code replaced}; they compare equal. */
        static <K, V> Tree<K, V> replace(Tree<K, V> t, Node<K, V> replaced, Node<K, V> created, int order) {
            return rewrite(t, replaced, order, created);
        }

        /** Finds {@code target} by identity, replacing it by {@code with}, or removing it if that is null. */
        private static <K, V> Tree<K, V> rewrite(Tree<K, V> t, Node<K, V> target, int order, Node<K, V> with) {
            if (t == null) {
                throw new IllegalStateException("node not indexed: " + target);
            }
            if (t.node == target) {
                return with != null ? new Tree<>(with, t.left, t.right, t.priority) : merge(t.left, t.right);
            }
            int c = compare(order, target.key, t.node);
            boolean left = c < 0 || (c == 0 && contains(t.left, target, order));
            return left
                    ? new Tree<>(t.node, rewrite(t.left, target, order, with), t.right, t.priority)
                    : new Tree<>(t.node, t.left, rewrite(t.right, target, order, with), t.priority);
        }

        private static <K, V> boolean contains(Tree<K, V> t, Node<K, V> target, int order) {
            while (t != null) {
                if (t.node == target) {
                    return true;
                }
                int c = compare(order, target.key, t.node);
                if (c == 0 && contains(t.left, target, order)) {
                    return true;
                }
                t = c < 0 ? t.left : t.right;
            }
            return false;
        }

        /** Joins two treaps, every key of {@code a} ordered before every key of {@code b}. */
        private static <K, V> Tree<K, V> merge(Tree<K, V> a, Tree<K, V> b) {
            if (a == null) {
                return b;
            }
            if (b == null) {
                return a;
            }
            return a.priority > b.priority
                    ? new Tree<>(a.node, a.left, merge(a.right, b), a.priority)
                    : new Tree<>(b.node, merge(a, b.left), b.right, b.priority);
        }

        static int depth(Tree<?, ?> t) {
            return t == null ? 0 : 1 + Math.max(depth(t.left), depth(t.right));
        }
    }

    /** An immutable list of the nodes outside the treap; writers copy the prefix they change. */
    private static final class Others<K, V> {
        final Node<K, V> node;
        final Others<K, V> next;

        Others(Node<K, V> node, Others<K, V> next) {
            this.node = node;
            this.next = next;
        }

        static <K, V> Others<K, V> remove(Others<K, V> list, Node<K, V> target) {
            return rewrite(list, target, null);
        }

        static <K, V> Others<K, V> replace(Others<K, V> list, Node<K, V> target, Node<K, V> with) {
            return rewrite(list, target, with);
        }

        private static <K, V> Others<K, V> rewrite(Others<K, V> list, Node<K, V> target, Node<K, V> with) {
            // Iterative, so a long list cannot overflow the stack: collect the prefix, then rebuild it.
            int prefix = 0;
            Others<K, V> o = list;
            while (o != null && o.node != target) {
                prefix++;
                o = o.next;
            }
            if (o == null) {
                throw new IllegalStateException("node not indexed: " + target);
            }
            Others<K, V> rest = with != null ? new Others<>(with, o.next) : o.next;
            @SuppressWarnings("unchecked")
            Node<K, V>[] before = (Node<K, V>[]) new Node<?, ?>[prefix];
            o = list;
            for (int i = 0; i < prefix; i++, o = o.next) {
                before[i] = o.node;
            }
            for (int i = prefix - 1; i >= 0; i--) {
                rest = new Others<>(before[i], rest);
            }
            return rest;
        }
    }
}
