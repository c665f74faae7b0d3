package dev.roan.jooq;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.jooq.Query;
import org.jooq.Table;
import org.jspecify.annotations.Nullable;

/**
 * jOOQ 3.20 and later model MERGE as {@code QOM.Merge} with {@code $into()}; Roan is compiled against 3.19, which
 * has neither, so it reaches them reflectively, once, and falls back to reading the SQL where they are absent.
 */
final class MergeModel {

    private static final @Nullable Class<?> MERGE = load("org.jooq.impl.QOM$Merge");
    private static final @Nullable MethodHandle INTO = into(MERGE);

    private MergeModel() {}

    /** The target of a MERGE from jOOQ's model, or null (jOOQ 3.19, or a MERGE form outside the model). */
    @Nullable
    static Table<?> target(Query query) {
        if (INTO == null || !MERGE.isInstance(query)) {
            return null;
        }
        try {
            Object into = INTO.invoke(query);
            return into instanceof Table ? (Table<?>) into : null;
        } catch (Throwable e) {
            // A model that changed shape: the rendered SQL still tells.
            return null;
        }
    }

    @Nullable
    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Query.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    @Nullable
    private static MethodHandle into(@Nullable Class<?> merge) {
        if (merge == null) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findVirtual(merge, "$into", MethodType.methodType(Table.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
