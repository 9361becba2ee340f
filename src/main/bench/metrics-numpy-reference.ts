/**
 * NumPy reference for the closed-form metrics bench: the same keys as computeDumpMetrics on one
 * split, in float64, written the way a careful NumPy user would (BLAS matmuls, C x C Gram for nc1).
 * Run as `python3 -c NUMPY_REFERENCE_SCRIPT DIR [once]` where DIR holds features/labels/weight/bias .npy;
 * prints one JSON line: best-of-3 seconds (one run with `once`) and the values, for a cross-check.
 */
export const NUMPY_REFERENCE_SCRIPT = String.raw`
import json, os, sys, time
import numpy as np

d = sys.argv[1]
X32 = np.load(os.path.join(d, 'features.npy'))
y = np.load(os.path.join(d, 'labels.npy')).astype(np.int64)
W = np.load(os.path.join(d, 'weight.npy')).astype(np.float64)
b = np.load(os.path.join(d, 'bias.npy')).astype(np.float64)

def ww_alpha(W):
    ev = np.linalg.eigvalsh(W @ W.T if W.shape[0] <= W.shape[1] else W.T @ W) / max(W.shape)
    ev = np.sort(ev[ev > 1e-10 * ev.max()])
    best = None
    for s in range(len(ev) - 1):
        if s > 0 and ev[s] == ev[s - 1]:
            continue
        t = ev[s:]; k = len(t); L = np.log(t / t[0]).sum()
        if L <= 0:
            continue
        a = 1 + k / L
        F = 1 - (t / t[0]) ** (1 - a)
        i = np.arange(k)
        D = max(((i + 1) / k - F).max(), (F - i / k).max())
        if best is None or D < best[0]:
            best = (D, a)
    return best[1]

def metrics():
    X = X32.astype(np.float64)
    n, m = X.shape
    Z = X @ W.T + b
    zmax = Z.max(1)
    E = np.exp(Z - zmax[:, None]); S = E.sum(1); P = E / S[:, None]
    out = {}
    out['train_loss'] = float(np.mean(np.log(S) + zmax - Z[np.arange(n), y]))
    pred = Z.argmax(1)
    out['train_acc'] = float(np.mean(pred == y))
    out['perplexity'] = float(np.exp(out['train_loss']))
    norm2 = np.einsum('ij,ij->i', X, X)
    G = W @ W.T
    q = P @ np.diag(G) - np.einsum('ic,ic->i', P @ G, P)
    out['kappa'] = float(np.mean(norm2 * q)); out['kappa_fam'] = out['kappa'] / m
    out['hessian_trace'] = float(np.mean(norm2 * (P * (1 - P)).sum(1)))
    out['flatness_bound'] = float((W ** 2).sum() * out['hessian_trace'])
    sig = X.std(0); keep = sig >= 1e-12
    Xs = X[:, keep] / sig[keep]; Ws = W[:, keep] * sig[keep]; Gs = Ws @ Ws.T
    qs = P @ np.diag(Gs) - np.einsum('ic,ic->i', P @ Gs, P)
    out['kappa_sigma'] = float(np.mean(np.einsum('ij,ij->i', Xs, Xs) * qs))
    classes, idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    Cp = len(classes)
    mu = np.zeros((Cp, m)); np.add.at(mu, idx, X); mu /= counts[:, None]
    Mt = mu - mu.mean(0)
    Ew = X - mu[idx]
    K = Mt @ Mt.T
    lam, U = np.linalg.eigh(K); lam = lam[::-1][:Cp - 1]; U = U[:, ::-1][:, :Cp - 1]
    ok = lam > 1e-10 * lam[0]
    proj = Ew @ Mt.T
    Sp = proj.T @ proj
    out['nc1'] = float(sum(U[:, k] @ Sp @ U[:, k] / (n * lam[k] ** 2) for k in range(Cp - 1) if ok[k]))
    r = np.sqrt(np.diag(K)); out['nc2_equinorm_means'] = float(r.std() / r.mean())
    wn = np.linalg.norm(W[classes], axis=1); out['nc2_equinorm_classifiers'] = float(wn.std() / wn.mean())
    cos = (K / np.outer(r, r))[~np.eye(Cp, dtype=bool)]
    out['nc2_equiangular'] = float(np.mean(np.abs(cos + 1 / (Cp - 1)))); out['nc2_angle_std'] = float(cos.std())
    Wp = W[classes]
    out['nc3'] = float(((Wp / np.linalg.norm(Wp) - Mt / np.linalg.norm(Mt)) ** 2).sum())
    dist = norm2[:, None] - 2 * X @ mu.T + (mu ** 2).sum(1)
    out['nc4'] = float(np.mean(classes[dist.argmin(1)] != pred))
    V = np.bincount(idx, weights=(Ew ** 2).sum(1), minlength=Cp) / counts
    D = ((mu[:, None, :] - mu[None, :, :]) ** 2).sum(2)
    iu = np.triu_indices(Cp, 1)
    out['cdnv'] = float(np.mean((V[iu[0]] + V[iu[1]]) / (2 * D[iu])))
    u = Mt / r[:, None]
    U2 = np.sqrt(((u[:, None, :] - u[None, :, :]) ** 2).sum(2))
    out['gnc2'] = float(np.mean(-np.log(np.maximum(U2[iu], 1e-12))))
    dc = (Wp * Mt).sum(1) / (np.linalg.norm(Wp, axis=1) * r)
    out['duality_cos_mean'] = float(dc.mean()); out['duality_cos_std'] = float(dc.std())
    sv = np.linalg.svd(W, compute_uv=False)
    out['fro_norm'] = float(np.sqrt((W ** 2).sum())); out['spectral_norm'] = float(sv[0])
    out['stable_rank'] = out['fro_norm'] ** 2 / out['spectral_norm'] ** 2
    out['ww_alpha'] = float(ww_alpha(W))
    return out

best = float('inf')
for _ in range(1 if sys.argv[2:] == ['once'] else 3):
    t = time.perf_counter(); values = metrics(); best = min(best, time.perf_counter() - t)
print(json.dumps({'seconds': best, 'values': values}))
`;
