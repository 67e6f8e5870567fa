package dev.flywheel.epochs;

import dev.flywheel.core.types.coverage.CoverageWindowEvaluator;

import java.util.Optional;

/** A fresh coverage window evaluator per run, or none when the network has no entropy table (no coverage). */
@FunctionalInterface
public interface CoverageEvaluations {
    Optional<CoverageWindowEvaluator> forThisRun();
}
