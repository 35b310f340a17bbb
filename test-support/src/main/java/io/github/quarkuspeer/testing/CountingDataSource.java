package io.github.quarkuspeer.testing;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A view of a real pool that counts every statement executed through it, whatever runs it: the lease store, or
 * anything else that might touch the database behind its back. Tests use it to show that reading leadership sends no
 * statement; benchmarks, to count a node's statements.
 * <p>
 * Counted at the JDBC call, so each count is one round trip to the server. Connection checks that the pool makes on
 * its own are not seen.
 */
public final class CountingDataSource implements DataSource {

    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final DataSource pool;
    private final LongAdder statements = new LongAdder();

    public CountingDataSource(DataSource pool) {
        this.pool = pool;
    }

    public long statements() {
        return statements.sum();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return counting(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return counting(pool.getConnection(username, password));
    }

    private Connection counting(Connection connection) {
        return proxy(Connection.class, connection, (method, result) -> result instanceof Statement statement
                ? proxy(statementType(statement), statement, (m, r) -> {
                    if (EXECUTIONS.contains(m.getName())) {
                        statements.increment();
                    }
                    return r;
                })
                : result);
    }

    private static Class<? extends Statement> statementType(Statement statement) {
        if (statement instanceof java.sql.CallableStatement) {
            return java.sql.CallableStatement.class;
        }
        return statement instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
    }

    /** What a proxy does with the result of a call it passed on. */
    private interface After {
        Object apply(Method method, Object result);
    }

    private static <T> T proxy(Class<T> type, Object target, After after) {
        InvocationHandler handler = (self, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return after.apply(method, result);
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return pool.isWrapperFor(iface);
    }
}
