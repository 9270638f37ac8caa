#!/usr/bin/env python3
"""Time-to-quality curves: lesson 10's recipe (`train-live`) against the plain PyTorch reference
(bench/ref_train_live.py, the issue's recipe), each trained from random weights for the same wall-clock minutes
on this machine, back to back, and scored by the course's `evaluate` command on the same number of samples.

    /usr/bin/python3 bench/train_live_curves.py --minutes 0.5 1 2.5 5 15 --out /tmp/live-curves [--threads 1]

For each budget, in the order given: the reference (`--minutes M --ckpt`, no intermediate checkpoints, guidance 1.5
and 3, 200 samples per class), then the course (`train-live --minutes M --per-class 200`), then `evaluate --json` on
every samples file. Both budgets run from their process's start, so starting up and loading the data count. The
1-minute load average is recorded when each run starts and ends (a shared machine's minutes buy fewer steps).
The reference runs with glibc's allocator thresholds that the course's engine sets for itself
(MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_, bench/README.md "Large tensors' memory"), unless --plain-reference.
Writes OUT/results.json (the format LiveTrainingResults reads; copy it to bench/train_live_results.json) and prints
a Markdown table. The reference's own judge (a small CNN it trains once, cached as OUT/judge.pt) also runs; its
accuracy is printed by the reference, the table uses the course's classifier for both.
"""
import argparse, json, os, platform, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COURSE = ["dotnet", "run", "--project", os.path.join(ROOT, "src", "Course.Notebooks"), "-c", "Release", "--no-build", "--"]
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": "268435456", "MALLOC_TRIM_THRESHOLD_": "1073741824"}


def load():
    return round(os.getloadavg()[0], 2)


def run(cmd, log, env=None):
    with open(log, "w") as f:
        out = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=dict(os.environ, **(env or {})))
    text = open(log).read()
    if out.returncode != 0:
        sys.exit(f"failed ({out.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return text


def evaluate(samples, labels, log):
    text = run(COURSE + ["evaluate", samples, "--labels", labels, "--json"], log)
    return json.loads(text.strip().splitlines()[-1])


def point(recipe, minutes, seed, steps, guidance, scores, sample_s, loads):
    return {"recipe": recipe, "minutes": minutes, "seed": seed, "steps": steps, "guidance": guidance, "n": scores["n"],
            "fid": scores["fid"], "kid": scores["kid"], "precision": scores["precision"], "recall": scores["recall"],
            "accuracy": scores["accuracy"], "sample_s": sample_s, "load": loads}


def resample(a, results, m, seed, tag):
    """The course's run at further guidance scales: the saved weights, no more steps, the same sampling noise."""
    d = os.path.join(a.out, f"course_{tag}")
    done = {(r["guidance"]) for r in results["rows"] if r["recipe"] == "course" and r["minutes"] == m and r.get("seed", 0) == seed}
    first = next(r for r in results["rows"] if r["recipe"] == "course" and r["minutes"] == m and r.get("seed", 0) == seed)
    for w in a.course_guidance:
        if w in done:
            continue
        e = f"{d}_w{w:g}"
        os.makedirs(e, exist_ok=True)
        shutil.copy(os.path.join(d, "training.safetensors"), os.path.join(e, "training.safetensors"))
        text = run(COURSE + ["train-live", "--resume", "--steps", str(first["steps"]), "--out", e, "--threads", str(a.threads),
                             "--per-class", str(a.per_class), "--seed", str(seed), "--guidance", str(w)], os.path.join(e, "log.txt"))
        sample_s = float(re.search(r"sampled \d+ images in ([0-9.]+) s", text).group(1))
        scores = evaluate(os.path.join(e, "samples.npy"), os.path.join(e, "labels.npy"), os.path.join(e, "evaluate.txt"))
        results["rows"].append(point("course", m, seed, first["steps"], w, scores, sample_s, first["load"]))
        print(f"course {tag} at guidance {w:g}: FID {scores['fid']:.2f}, acc {scores['accuracy']:.3f}, "
              f"recall {scores['recall']:.3f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, nargs="+", default=[0.5, 1, 2.5, 5, 15])
    p.add_argument("--out", default="/tmp/live-curves")
    p.add_argument("--threads", type=int, default=1, help="libtorch threads, the same for both recipes")
    p.add_argument("--per-class", type=int, default=200)
    p.add_argument("--reference", default=os.path.join(HERE, "ref_train_live.py"))
    p.add_argument("--plain-reference", action="store_true", help="run the reference without the allocator thresholds")
    p.add_argument("--only", choices=["course", "reference"], help="run one recipe only")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds; each budget runs every seed, both recipes")
    p.add_argument("--course-guidance", type=float, nargs="*", default=[3.0],
                   help="further guidance scales for the course's runs, drawn from the same weights and noise after the run "
                        "(the reference is drawn at two scales, 1.5 and 3; so is the course: its own and these)")
    p.add_argument("--resample-only", action="store_true",
                   help="only draw the course's runs already in OUT at the --course-guidance scales")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "results.json")
    results = json.load(open(path)) if os.path.exists(path) else {"rows": []}
    results["measured"] = time.strftime("%Y-%m-%d", time.gmtime())
    cpu = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()
    results["machine"] = f"{cpu}, {os.cpu_count()} cores, {a.threads} libtorch thread(s)"

    def save():
        with open(path, "w") as f:
            json.dump(results, f, indent=1)

    for m, seed in [(m, s) for m in a.minutes for s in a.seeds]:
        tag = f"{m:g}min" + (f"_seed{seed}" if seed else "")
        if a.only != "course":
            d = os.path.join(a.out, f"reference_{tag}")
            os.makedirs(d, exist_ok=True)
            l0 = load()
            text = run(["/usr/bin/python3", a.reference, "--minutes", str(m), "--ckpt", "--out", d, "--threads", str(a.threads),
                        "--guidance", "1.5", "3", "--per-class", str(a.per_class), "--judge", os.path.join(a.out, "judge.pt"),
                        "--seed", str(seed)],
                       os.path.join(d, "log.txt"), None if a.plain_reference else ALLOCATOR)
            loads = [l0, load()]
            info = json.load(open(os.path.join(d, "results.json")))
            ck = info["checkpoints"][-1]
            for w in (1.5, 3):
                scores = evaluate(os.path.join(d, f"samples_{m:g}min_w{w:g}.npy"), os.path.join(d, "labels.npy"),
                                  os.path.join(d, f"evaluate_w{w:g}.txt"))
                # the reference times its sampling at the first scale only
                results["rows"].append(point("reference", m, seed, ck["steps"], w, scores, ck["sample_s"] if w == 1.5 else None, loads))
                results["floor_fid"], results["floor_accuracy"] = scores["floor"]["fid"], scores["floor"]["accuracy"]
                print(f"reference {tag} w {w}: {ck['steps']} steps, FID {scores['fid']:.2f}, acc {scores['accuracy']:.3f}, "
                      f"recall {scores['recall']:.3f} (load {loads})", flush=True)
            save()
        if a.only != "reference" and not a.resample_only:
            d = os.path.join(a.out, f"course_{tag}")
            l0 = load()
            text = run(COURSE + ["train-live", "--minutes", str(m), "--out", d, "--threads", str(a.threads),
                                 "--per-class", str(a.per_class), "--seed", str(seed)], os.path.join(a.out, f"course_{tag}.log"))
            loads = [l0, load()]
            steps = int(re.search(r"trained: (\d+) steps", text).group(1))
            guidance = float(re.search(r"guidance ([0-9.]+)\)", text).group(1))
            sample_s = float(re.search(r"sampled \d+ images in ([0-9.]+) s", text).group(1))
            scores = evaluate(os.path.join(d, "samples.npy"), os.path.join(d, "labels.npy"), os.path.join(d, "evaluate.txt"))
            results["rows"].append(point("course", m, seed, steps, guidance, scores, sample_s, loads))
            results["floor_fid"], results["floor_accuracy"] = scores["floor"]["fid"], scores["floor"]["accuracy"]
            print(f"course {tag}: {steps} steps, FID {scores['fid']:.2f}, acc {scores['accuracy']:.3f}, "
                  f"recall {scores['recall']:.3f} (load {loads})", flush=True)
            save()
        if a.only != "reference":
            resample(a, results, m, seed, tag)
            save()

    print()
    print(f"{results['measured']}, {results['machine']}; n = {a.per_class * 10} samples; floor FID {results.get('floor_fid', 0):.2f}")
    print("| minutes | recipe | seed | steps | guidance | FID | KID | precision | recall | accuracy | sampling (s) | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in sorted(results["rows"], key=lambda r: (r["minutes"], r["recipe"], r.get("seed", 0), r["guidance"])):
        s = "" if r["sample_s"] is None else f"{r['sample_s']:.0f}"
        print(f"| {r['minutes']:g} | {r['recipe']} | {r.get('seed', 0)} | {r['steps']:,} | {r['guidance']:g} | {r['fid']:.2f} | {r['kid']:.2f} | "
              f"{r['precision']:.3f} | {r['recall']:.3f} | {100 * r['accuracy']:.1f} % | {s} | {r['load'][0]:.1f}-{r['load'][1]:.1f} |")


if __name__ == "__main__":
    main()
