#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Start a libvirt domain with an mdev, queue work on it, save, restore.

    virt-save.py --virsh 'CMD' --domain NAME --qtest SOCKET --file PATH
                 [--inflight N --busy-qps N --req-bytes N --deflate]

The domain's XML gives QEMU '-qtest unix:SOCKET' (qemu:commandline), so
that this program stands in for the guest as tests/bin/qemu-mig.py does
(its device model is imported from there): after 'virsh start' it finds
the device on the PCI bus, programs its ring registers and queues work
on the running VM; 'virsh save' stops the VM and writes its state, the
device's through VFIO migration, to PATH; 'virsh restore' starts a new
QEMU from it, which connects again. The restored device must have the
same registers, and every queued request must complete exactly once,
with the right output.

CMD is how virsh is run (e.g. 'chroot /root virsh -c qemu:///system'),
split on blanks. SOCKET is this side's path of the socket, and PATH is
the daemon's. One line on stdout, key=value:

    save result=completed start_ms=... save_ms=... restore_ms=...
        regs=24 queued=16 done=16/16 state=running

and 'save result=error error="..."' otherwise (exit status 1).
Python 3 standard library only.
"""

import argparse
import importlib.util
import os
import shlex
import socket
import subprocess
import sys
import time


def load_qemu_mig():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'qemu-mig.py')
    spec = importlib.util.spec_from_file_location('qemu_mig', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


qm = load_qemu_mig()


def virsh(opts, *args):
    """Run virsh ARGS; its stdout, or Fail with what it said."""
    argv = shlex.split(opts.virsh) + list(args)
    t0 = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=opts.timeout)
    ms = (time.monotonic() - t0) * 1000
    if p.returncode:
        raise qm.Fail('virsh %s: %s' % (' '.join(args), (
            p.stderr or p.stdout).decode('utf-8', 'replace').strip()))
    return p.stdout.decode('utf-8', 'replace').strip(), ms


def accept(sock, opts, what):
    sock.settimeout(opts.timeout)
    try:
        conn, _ = sock.accept()
    except socket.timeout:
        raise qm.Fail('QEMU did not connect to the qtest socket (%s)' % what)
    conn.settimeout(opts.timeout)
    return qm.QTest(conn)


def run(opts):
    out = {}
    if os.path.exists(opts.qtest):
        os.unlink(opts.qtest)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(opts.qtest)
    sock.listen(1)
    try:
        _, out['start_ms'] = virsh(opts, 'start', opts.domain)
        qt = accept(sock, opts, 'start')
        dev = qm.Device(opts, 0)
        dev.program(qt)
        out['queued'] = sum(w[3] for w in dev.work)
        _, out['save_ms'] = virsh(opts, 'save', opts.domain, opts.file)
        qt.close()
        state, _ = virsh(opts, 'domstate', opts.domain)
        if state != 'shut off':
            raise qm.Fail('after virsh save the domain is %r' % state)
        _, out['restore_ms'] = virsh(opts, 'restore', opts.file)
        qt = accept(sock, opts, 'restore')
        bar = dev.bar0(qt)
        out['regs'] = dev.check_regs(qt, bar, 'restored')
        out['done'] = dev.check_work(qt, bar, opts.timeout)
        out['state'], _ = virsh(opts, 'domstate', opts.domain)
        qt.close()
    finally:
        sock.close()
        os.unlink(opts.qtest)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--virsh', required=True)
    ap.add_argument('--domain', required=True)
    ap.add_argument('--qtest', required=True)
    ap.add_argument('--file', required=True)
    ap.add_argument('--inflight', type=int, default=8)
    ap.add_argument('--busy-qps', type=int, default=2)
    ap.add_argument('--req-bytes', type=int, default=65536)
    ap.add_argument('--deflate', action='store_true')
    ap.add_argument('--timeout', type=int, default=300)
    opts = ap.parse_args()
    try:
        out = run(opts)
    except (qm.Fail, OSError, EOFError, ValueError,
            subprocess.TimeoutExpired) as e:
        print('save result=error error="%s"' % str(e).replace('"', "'"),
              flush=True)
        return 1
    print('save result=completed ' + ' '.join(
        '%s=%s' % (k, ('%.1f' % v) if isinstance(v, float) else v)
        for k, v in out.items()), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
