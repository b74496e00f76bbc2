package dev.cafstate.support;

import org.jboss.logging.Logger;

/**
 * Labels deliberate faults in the test log, so a green run can be told from a broken one: the ERROR and WARN lines
 * between "deliberate fault:" and "deliberate fault over:" are the service reacting to a fault a test made.
 */
public final class Faults {

    private static final Logger LOG = Logger.getLogger("deliberate-fault");

    private Faults() {}

    public static void begin(String what) {
        LOG.warnf("==== deliberate fault: %s; the errors logged until it is over are expected ====", what);
    }

    public static void end(String what) {
        LOG.warnf("==== deliberate fault over: %s ====", what);
    }
}
