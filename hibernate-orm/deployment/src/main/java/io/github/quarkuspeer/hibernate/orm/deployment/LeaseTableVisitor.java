package io.github.quarkuspeer.hibernate.orm.deployment;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;

import io.github.quarkuspeer.runtime.database.Schema;

/**
 * Points the lease entity at the configured table: the query of its {@code @Subselect} and the table of its
 * {@code @Synchronize}. The table name is a plain SQL identifier, checked by the build.
 */
final class LeaseTableVisitor extends ClassVisitor {

    private static final String SUBSELECT = "Lorg/hibernate/annotations/Subselect;";
    private static final String SYNCHRONIZE = "Lorg/hibernate/annotations/Synchronize;";

    private final String table;

    LeaseTableVisitor(ClassVisitor next, String table) {
        super(Opcodes.ASM9, next);
        this.table = table;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        AnnotationVisitor visitor = super.visitAnnotation(descriptor, visible);
        if (SUBSELECT.equals(descriptor)) {
            return new AnnotationVisitor(Opcodes.ASM9, visitor) {
                @Override
                public void visit(String name, Object value) {
                    super.visit(name, "value".equals(name) ? renamed((String) value) : value);
                }
            };
        }
        if (SYNCHRONIZE.equals(descriptor)) {
            return new AnnotationVisitor(Opcodes.ASM9, visitor) {
                @Override
                public AnnotationVisitor visitArray(String name) {
                    AnnotationVisitor array = super.visitArray(name);
                    return !"value".equals(name) ? array : new AnnotationVisitor(Opcodes.ASM9, array) {
                        @Override
                        public void visit(String element, Object value) {
                            super.visit(element, table);
                        }
                    };
                }
            };
        }
        return visitor;
    }

    private String renamed(String query) {
        String from = " from " + Schema.DEFAULT_TABLE;
        if (!query.endsWith(from)) {
            throw new IllegalStateException("Unexpected lease query: " + query);
        }
        return query.substring(0, query.length() - from.length()) + " from " + table;
    }
}
