package io.github.quarkuspeer.deployment;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;

/** Rewrites the {@code @Table(name)} of the lease entity to the configured table. */
final class TableNameVisitor extends ClassVisitor {

    private static final String TABLE = "Ljakarta/persistence/Table;";

    private final String table;

    TableNameVisitor(ClassVisitor next, String table) {
        super(Opcodes.ASM9, next);
        this.table = table;
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        AnnotationVisitor visitor = super.visitAnnotation(descriptor, visible);
        if (!TABLE.equals(descriptor)) {
            return visitor;
        }
        return new AnnotationVisitor(Opcodes.ASM9, visitor) {
            @Override
            public void visit(String name, Object value) {
                super.visit(name, "name".equals(name) ? table : value);
            }
        };
    }
}
