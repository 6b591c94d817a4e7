#!/usr/bin/env python3
"""Tables of bench/perturb_exposure.sh from the `leaks --compare --json` files it left in WORKDIR.

Usage: perturb_exposure_report.py WORKDIR MANIFEST.json
Prints markdown: the calibration and the rare set it selects, per-program cells per arm
(runs detected / runs checked @ first-detection run, 3 seeds), and per arm the rare leak bugs
exposed within 20 runs (mean, min-max over seeds), manifesting runs, false proofs and
contradicted proofs.
"""
import json
import os
import sys

METHODS = [("schedcast", "schedcast proved"), ("schedcast_any", "schedcast any finding"),
           ("goleak", "goleak"), ("leak_profile", "leak profile")]
MODES = ["plain", "runtime", "source", "both"]
SEEDS = [1, 2, 3]
RARE_MAX_RATE = 0.10
WITHIN = 20


def load(path):
    with open(path) as f:
        return json.load(f)


def side(prog, perturbed):
    return prog["perturbed" if perturbed else "plain"]


def by_name(doc):
    return {p["program"].rsplit("/", 1)[-1]: p for p in doc["programs"]}


def main():
    work, manifest = sys.argv[1], sys.argv[2]
    tests = load(manifest)["tests"]
    bugs = sorted(t["dir"].split("/")[-1] + "." + t["name"] for t in tests if t["bug"] != "none")
    correct = sorted(t["dir"].split("/")[-1] + "." + t["name"] for t in tests if t["bug"] == "none")

    calib = by_name(load(os.path.join(work, "calib.db.json")))
    exist = {m: by_name(load(os.path.join(work, "exist_%s.db.json" % m)))
             for m in ("runtime", "source", "both")}
    print("## Calibration (plain, run-plan seed 101, 100 runs x GOMAXPROCS 1,2,4)\n")
    print("| program | plain any finding (calibration) | rate | existence check, seed 999: runtime / source / both | selected |")
    print("|---|---|---|---|---|")
    rare, only_perturbed = [], []
    for b in bugs:
        m = side(calib[b], False)["methods"]["schedcast_any"]
        rate = m["detected"] / m["checked"] if m["checked"] else 0.0
        ex = [side(exist[k][b], True)["methods"]["schedcast_any"]["detected"] for k in ("runtime", "source", "both")]
        exn = [side(exist[k][b], True)["methods"]["schedcast_any"]["checked"] for k in ("runtime", "source", "both")]
        if rate > RARE_MAX_RATE:
            sel = "dropped: rate > 10 %"
        elif m["detected"] > 0:
            sel = "rare"
            rare.append(b)
        elif sum(ex) > 0:
            sel = "rare (seen only perturbed)"
            rare.append(b)
            only_perturbed.append(b)
        else:
            sel = "dropped: never manifested"
        print("| %s | %d/%d | %.1f %% | %s | %s |" % (
            b, m["detected"], m["checked"], 100 * rate,
            " / ".join("%d/%d" % (d, n) for d, n in zip(ex, exn)), sel))
    print()

    runs = {}
    for mode in MODES:
        for s in SEEDS:
            runs[(mode, s)] = by_name(load(os.path.join(work, "%s_%d.db.json" % (mode, s))))

    def cell(mode, s, prog, method):
        m = side(runs[(mode, s)][prog], mode != "plain")["methods"][method]
        if not m["checked"]:
            return "-"
        if not m["detected"]:
            return "0"
        return "%d@%d" % (m["detected"], m["first_detection_run"])

    for method, title in METHODS:
        print("## %s: runs detected of 21 @ first-detection run, seeds 1 / 2 / 3\n" % title)
        print("| program | " + " | ".join(MODES) + " |")
        print("|---|" + "---|" * len(MODES))
        for b in bugs:
            mark = "" if b in rare else " (not rare)"
            if b in only_perturbed:
                mark = " (seen only perturbed in calibration)"
            print("| %s%s | %s |" % (b, mark, " | ".join(
                ", ".join(cell(mode, s, b, method) for s in SEEDS) for mode in MODES)))
        print()

    def exposed(mode, s, method, progs):
        n = 0
        for b in progs:
            m = side(runs[(mode, s)][b], mode != "plain")["methods"][method]
            f = m["first_detection_run"]
            n += 1 if f is not None and f <= WITHIN else 0
        return n

    def manifesting(mode, s, method, progs):
        return sum(side(runs[(mode, s)][b], mode != "plain")["methods"][method]["detected"] for b in progs)

    def fmt(vals):
        return "%.2f [%d-%d]" % (sum(vals) / len(vals), min(vals), max(vals))

    for label, progs in (("all %d rare bugs" % len(rare), rare),
                         ("%d rare bugs seen plain in calibration" % (len(rare) - len(only_perturbed)),
                          [b for b in rare if b not in only_perturbed])):
        print("## Rare leak bugs exposed within %d runs (%s): mean [min-max] over 3 seeds\n" % (WITHIN, label))
        print("| method | " + " | ".join(MODES) + " |")
        print("|---|" + "---|" * len(MODES))
        for method, title in METHODS:
            print("| %s | %s |" % (title, " | ".join(
                fmt([exposed(mode, s, method, progs) for s in SEEDS]) for mode in MODES)))
        print("| manifesting runs (any finding, of %d per seed) | %s |" % (21 * len(progs), " | ".join(
            fmt([manifesting(mode, s, "schedcast_any", progs) for s in SEEDS]) for mode in MODES)))
        print()

    print("## Soundness per arm (sum over the 3 seeds)\n")
    print("| arm | false proofs (correct programs with a proof) | correct programs with any finding | proved goroutines | confirmed by the profile | unconfirmed | contradicted |")
    print("|---|---|---|---|---|---|---|")
    for mode in MODES:
        fp = anyf = pg = conf = unconf = contra = 0
        for s in SEEDS:
            for c in correct:
                m = side(runs[(mode, s)][c], mode != "plain")["methods"]
                fp += 1 if m["schedcast"]["detected"] else 0
                anyf += 1 if any(m[k]["detected"] for k, _ in METHODS) else 0
            for p in runs[(mode, s)].values():
                sd = side(p, mode != "plain")
                pg += sd["proved_goroutines"]
                conf += sd["profile_confirmed"]
                unconf += sd["profile_unconfirmed"]
                contra += sd["contradicted"]
        print("| %s | %d | %d | %d | %d | %d | %d |" % (mode, fp, anyf, pg, conf, unconf, contra))


if __name__ == "__main__":
    main()
