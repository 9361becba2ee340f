/**
 * NumPy reference for the vocabulary-scale head metrics (METRICS.md, "Many classes"): float64, in row
 * chunks so n x C never exists, written the way a careful NumPy user would (BLAS matmuls; kappa through
 * sum_c p_c ||w_c||^2 - ||W^T p||^2, kappa_sigma on explicitly standardised X and W, gnc2 from explicit
 * pairwise distances). Run as `python3 -c LM_NUMPY_REFERENCE_SCRIPT DIR K` where DIR holds
 * features/labels/weight/bias .npy and K is collapse_top_k; prints one JSON line: seconds, CPU seconds, values, peak RSS.
 */
export const LM_NUMPY_REFERENCE_SCRIPT = String.raw`
import json, os, sys, time
import numpy as np

d = sys.argv[1]; K = int(sys.argv[2])
X32 = np.load(os.path.join(d, 'features.npy'), mmap_mode='r')
y = np.load(os.path.join(d, 'labels.npy')).astype(np.int64)
W = np.load(os.path.join(d, 'weight.npy')).astype(np.float64)
b = np.load(os.path.join(d, 'bias.npy')).astype(np.float64)

def metrics():
    n, m = X32.shape; C = W.shape[0]
    rows = max(1, int(2e7 // C))
    chunks = [(s, min(n, s + rows)) for s in range(0, n, rows)]
    counts = np.bincount(y, minlength=C)
    present = np.flatnonzero(counts)
    restricted = len(present) > K
    keep = np.sort(present[np.lexsort((present, -counts[present]))[:K]]) if restricted else present
    slot = np.full(C, -1); slot[keep] = np.arange(len(keep)); Cp = len(keep)
    # features' mean and std (ddof 0), float64 over chunks
    fs = np.zeros(m); fs2 = np.zeros(m)
    for s, e in chunks:
        X = X32[s:e].astype(np.float64); fs += X.sum(0)
    mean = fs / n
    for s, e in chunks:
        X = X32[s:e].astype(np.float64) - mean; fs2 += (X * X).sum(0)
    sig = np.sqrt(fs2 / n); keepf = sig >= 1e-12
    Ws = W[:, keepf] * sig[keepf]
    wn2 = (W * W).sum(1); wsn2 = (Ws * Ws).sum(1)
    loss = acc = kap = kaps = tr = 0.0
    pred = np.zeros(n, dtype=np.int64); sums = np.zeros((Cp, m))
    for s, e in chunks:
        X = X32[s:e].astype(np.float64); yy = y[s:e]
        Z = X @ W.T + b
        zmax = Z.max(1); E = np.exp(Z - zmax[:, None]); S = E.sum(1); P = E / S[:, None]
        loss += float((np.log(S) + zmax - Z[np.arange(e - s), yy]).sum())
        acc += float((Z.argmax(1) == yy).sum())
        pred[s:e] = keep[Z[:, keep].argmax(1)] if restricted else Z.argmax(1)
        norm2 = (X * X).sum(1)
        V = P @ W; kap += float((norm2 * (P @ wn2 - (V * V).sum(1))).sum())
        Vs = P @ Ws; Xs = X[:, keepf] / sig[keepf]
        kaps += float(((Xs * Xs).sum(1) * (P @ wsn2 - (Vs * Vs).sum(1))).sum())
        tr += float((norm2 * (P * (1 - P)).sum(1)).sum())
        sel = slot[yy] >= 0
        np.add.at(sums, slot[yy[sel]], X[sel])
    out = {'train_loss': loss / n, 'train_acc': acc / n, 'perplexity': float(np.exp(loss / n)),
           'kappa': kap / n, 'kappa_fam': kap / n / m, 'kappa_sigma': kaps / n, 'hessian_trace': tr / n,
           'flatness_bound': float((W * W).sum() * tr / n)}
    cnt = counts[keep].astype(np.float64); ns = cnt.sum()
    mu = sums / cnt[:, None]; Mt = mu - mu.mean(0)
    Sp = np.zeros((Cp, Cp)); within = np.zeros(Cp); mism = 0
    mu2 = (mu * mu).sum(1)
    for s, e in chunks:
        X = X32[s:e].astype(np.float64); yy = y[s:e]; sel = slot[yy] >= 0
        X = X[sel]; a = slot[yy[sel]]
        Ew = X - mu[a]; proj = Ew @ Mt.T; Sp += proj.T @ proj
        within += np.bincount(a, weights=(Ew * Ew).sum(1), minlength=Cp)
        dist = (X * X).sum(1)[:, None] - 2 * X @ mu.T + mu2
        mism += int((keep[dist.argmin(1)] != pred[s:e][sel]).sum())
    Kg = Mt @ Mt.T
    lam, U = np.linalg.eigh(Kg); lam = lam[::-1][:Cp - 1]; U = U[:, ::-1][:, :Cp - 1]
    out['nc1'] = float(sum(U[:, k] @ Sp @ U[:, k] / (ns * lam[k] ** 2) for k in range(Cp - 1) if lam[k] > 1e-10 * lam[0]))
    r = np.sqrt(np.diag(Kg)); out['nc2_equinorm_means'] = float(r.std() / r.mean())
    Wk = W[keep]; wn = np.linalg.norm(Wk, axis=1); out['nc2_equinorm_classifiers'] = float(wn.std() / wn.mean())
    cos = (Kg / np.outer(r, r))[~np.eye(Cp, dtype=bool)]
    out['nc2_equiangular'] = float(np.mean(np.abs(cos + 1 / (Cp - 1)))); out['nc2_angle_std'] = float(cos.std())
    out['nc3'] = float(((Wk / np.linalg.norm(Wk) - Mt / np.linalg.norm(Mt)) ** 2).sum())
    out['nc4'] = mism / ns
    V = within / cnt
    iu = np.triu_indices(Cp, 1)
    D = mu2[:, None] + mu2[None, :] - 2 * mu @ mu.T
    out['cdnv'] = float(np.mean((V[iu[0]] + V[iu[1]]) / (2 * D[iu])))
    u = Mt / r[:, None]; g = 0.0
    for a in range(0, Cp, 16):
        dd = np.sqrt(((u[a:a + 16, None, :] - u[None, :, :]) ** 2).sum(2))
        for t in range(dd.shape[0]):
            g += float(-np.log(np.maximum(dd[t, a + t + 1:], 1e-12)).sum())
    out['gnc2'] = g / (Cp * (Cp - 1) / 2)
    dc = (Wk * Mt).sum(1) / (wn * r)
    out['duality_cos_mean'] = float(dc.mean()); out['duality_cos_std'] = float(dc.std())
    return out

t = time.perf_counter(); c = time.process_time(); values = metrics(); sec = time.perf_counter() - t; cpu = time.process_time() - c
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
print(json.dumps({'seconds': sec, 'cpu_seconds': cpu, 'values': values, 'peak_rss_mib': peak}))
`;
