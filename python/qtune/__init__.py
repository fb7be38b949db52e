"""qtune from Python: a study driven with ask/tell, and the image metrics of `qtune fid`/`metrics`.

    study = qtune.Study.open("study.toml")          # the same SQLite file `qtune status` reads
    while (trial := study.ask()) is not None:
        study.tell(trial, train_and_score(**trial.params))
    print(study.best())
    study.run()                                     # or as `qtune run`: the [trial] command per trial

    qtune.fid("stim/", "rec/", dims=2048)            # pytorch-fid's number
    fid = qtune.FidPipeline(dims=2048)               # the weights loaded once for many calls
    qtune.paired_metrics("stim/", "rec/")            # {"ssim": ..., "psnr": ..., "pairs": [...]}

The classes and functions are C++ (_qtune); optimize() is the loop above with failures recorded.
"""
import os
import traceback

# OpenMP (under oneDNN) reads its wait policy once, when the extension loads it: passive, so
# that its threads sleep instead of spinning on a shared machine (qtune/metrics/threads.h);
# removed again at once, so that the commands a study starts do not inherit it.
_passive = "OMP_WAIT_POLICY" not in os.environ
if _passive:
    os.environ["OMP_WAIT_POLICY"] = "passive"
try:
    from ._qtune import (BestTrial, ConflictError, Error, FidPipeline, InputError, OperationError, Progress, Study,
                         Trial, TrialRecord, fid, inception_features, kid, paired_metrics)
finally:
    if _passive:
        del os.environ["OMP_WAIT_POLICY"]

__all__ = ["BestTrial", "ConflictError", "Error", "FidPipeline", "InputError", "OperationError", "Progress", "Study",
           "Trial", "TrialRecord", "fid", "inception_features", "kid", "optimize", "paired_metrics"]


def optimize(study, objective, n_trials=None):
    """Runs objective(**trial.params) -> value for each trial until the study is finished (or n_trials).

    An exception from the objective is recorded as a failed trial (its repr the reason, the traceback
    the log tail) and the loop goes on, as `qtune run` does with a crashed script. KeyboardInterrupt
    gives the running trial back (the next open or ask hands it out again) and is raised. Returns
    study.best().
    """
    done = 0
    while n_trials is None or done < n_trials:
        trial = study.ask()
        if trial is None:
            break
        try:
            value = objective(**trial.params)
        except KeyboardInterrupt:
            study.mark_interrupted(trial)
            raise
        except Exception as e:  # the trial failed, not the study
            study.tell_failure(trial, repr(e), traceback.format_exc())
        else:
            study.tell(trial, value)
        done += 1
    return study.best()
