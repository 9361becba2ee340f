"""Integration script: logs `steps` steps of two known curves (and a 2x2 checkpoint at the end), then prints the run.

With a third argument (a file path), it stops half-way and prints {"state": "live"|"offline"} each time that changes,
until that file exists: the test kills and restarts the host meanwhile, and lets it go on once the client is live again.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import plateau_client as plateau  # noqa: E402

steps, pause = int(sys.argv[1]), float(sys.argv[2])
gate = sys.argv[3] if len(sys.argv) > 3 else None
with plateau.init(project='it', name='curves', config={'steps': steps}, tags=['it']) as run:
    for i in range(steps):
        run.log({'train_loss': 1.0 / (i + 1), 'test_acc': i / steps}, step=i, epoch=i // 10)
        if i == steps // 4:
            print(json.dumps({'uid': run.uid, 'runId': run.run_id}), flush=True)  # the test may kill the host now
        if gate and i == steps // 2:
            shown, end = None, time.monotonic() + 150
            while not os.path.exists(gate) and time.monotonic() < end:
                state = 'offline' if run.offline else 'live'
                if state != shown:
                    print(json.dumps({'state': state}), flush=True)
                    shown = state
                time.sleep(0.02)
        time.sleep(pause)
    run.checkpoint({'fc.weight': [[3.0, 4.0], [0.0, 0.0]]}, step=steps - 1)
print(json.dumps({'uid': run.uid, 'runId': run.run_id, 'offline': run.offline, 'folder': run.folder.path,
                  'recovered': run.sender.recovered}), flush=True)
