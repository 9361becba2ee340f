"""Integration script: a few steps of a small MLP in torch, logged through the client with checkpoints and feature dumps.
Also writes the same checkpoints to `out` (plateau_client.save_safetensors) for `plateau import` to measure."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import torch  # noqa: E402

import plateau_client as plateau  # noqa: E402

out = sys.argv[1]
os.makedirs(os.path.join(out, 'ckpts'), exist_ok=True)
torch.manual_seed(0)
x = torch.randn(96, 6)
y = (x[:, 0] + x[:, 1] > 0).long() + (x[:, 2] > 1).long()  # 3 classes
model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = [(x[i:i + 32], y[i:i + 32]) for i in range(0, 96, 32)]
with plateau.init(project='torch', name='mlp', config={'lr': 0.1}) as run:
    for step in range(1, 11):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run.log({'train_loss': loss.item()}, step=step)
        if step in (5, 10):
            features = plateau.capture_features(model, loader)
            run.checkpoint(model, step=step, features=features)
            plateau.save_safetensors(model.state_dict(), os.path.join(out, 'ckpts', 'ckpt_step%d.safetensors' % step))
            plateau.save_safetensors(features, os.path.join(out, 'features_step%d.safetensors' % step))
print(json.dumps({'runId': run.run_id}), flush=True)
