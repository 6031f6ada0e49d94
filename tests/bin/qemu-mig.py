#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Live-migrate a VFIO mdev between two QEMU processes on this machine.

QEMU is the VFIO client: each side runs
    qemu-system-x86_64 -accel tcg -S -device vfio-pci,sysfsdev=...
with no guest OS. This program stands in for the guest through QEMU's
qtest protocol (PCI config cycles on ports 0xcf8/0xcfc, then loads and
stores on the device's BAR and in guest RAM) and drives migration over
QMP, over TCP on the loopback address.

    qemu-mig.py [options] SRC:DST [SRC:DST ...]

SRC and DST are mdev UUIDs or sysfs device paths. For each pair, the
source QEMU programs the device (accmdev: the ring registers of every
queue pair, and optionally queued work; mtty: each port's scratch
register), then the device migrates SRC -> DST. With --rounds N > 1 it
goes back and forth (a new QEMU on the device that became free each
time); several pairs take turns, one migration each, so that their
figures are interleaved. The destination reads the registers back and,
with --inflight, checks every completion of the queued work.

One line per migration on stdout, key=value:
    mig pair=0 round=0 result=completed wall_ms=... total_ms=...
        downtime_ms=... setup_ms=... vfio_bytes=... ram_bytes=...
        regs=ok done=N/N
and, when the migration did not complete:
    mig pair=0 round=0 result=failed error="..." src_status=prelaunch
        src_before=prelaunch device=answers regs=ok
The exit status is 0 when every migration ended as --expect says.
Python 3 standard library only.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

# ---- device register ABI (driver/uapi/accmdev_regs.h) -------------------

ACC_VENDOR = 0xacce
MTTY_VENDOR = 0x4348
REG_ID = 0x000
REG_REVISION = 0x008
REG_NUM_QPS = 0x010
QP_REGS = 0x1000
QP_STRIDE = 0x100
QP_SQ_BASE_LO = 0x00
QP_SQ_BASE_HI = 0x04
QP_CQ_BASE_LO = 0x08
QP_CQ_BASE_HI = 0x0c
QP_SQ_SIZE = 0x10
QP_CQ_SIZE = 0x14
QP_ENABLE = 0x18
QP_STATUS = 0x1c
QP_ERROR = 0x20
QP_SQ_TAIL = 0x24
QP_DONE_COUNT = 0x3c
QP_FAIL_COUNT = 0x40
REG_ALGS = 0x00c
OP_CRC32C = 0
OP_ADLER32 = 1
OP_DEFLATE = 2
OP_SHA256 = 4
SQE_ONESHOT = 3
SQE_FMT = '<BBHIQQQII24x'
CQE_FMT = '<QIHHHBBIQ32s'
ST_OK = 0

PCI_SLOT = 4
BAR0_MEM = 0xe0000000
BAR0_IO = 0xc000

# Guest RAM layout for queued work (guest physical = IOVA, no vIOMMU).
RING_BASE = 0x100000  # per QP: SQ then CQ, 64 KiB apart
RING_STRIDE = 0x20000
SRC_BUF = 0x800000  # one input buffer shared by every request
DST_BUF = 0x1000000  # one output buffer, likewise (deflate)
MAX_DST = 2 << 20


_CRC32C = []
_SUMS = {}


def crc32c(data):
    """CRC-32C (Castagnoli, reflected, as iSCSI), bytewise."""
    if not _CRC32C:
        for n in range(256):
            c = n
            for _ in range(8):
                c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
            _CRC32C.append(c)
    c = 0xffffffff
    for b in data:
        c = _CRC32C[(c ^ b) & 0xff] ^ (c >> 8)
    return c ^ 0xffffffff


class Fail(Exception):
    pass


# ---- QMP and qtest over unix sockets QEMU connects to ------------------


class Listener:
    """A unix socket QEMU connects to as a client (no start-up race)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)

    def accept(self, proc, timeout):
        self.sock.settimeout(0.2)
        end = time.monotonic() + timeout
        while True:
            try:
                conn, _ = self.sock.accept()
                conn.settimeout(timeout)
                return conn
            except socket.timeout:
                if proc.poll() is not None:
                    raise Fail('QEMU exited with %d before connecting'
                               % proc.returncode)
                if time.monotonic() > end:
                    raise Fail('QEMU did not connect to %s' % self.path)

    def close(self):
        self.sock.close()


class LineConn:
    def __init__(self, conn):
        self.conn = conn
        self.buf = b''

    def send(self, data):
        self.conn.sendall(data)

    def readline(self):
        while b'\n' not in self.buf:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise EOFError('connection closed')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line.decode('utf-8', 'replace')

    def close(self):
        try:
            self.conn.close()
        except OSError:
            pass


class QMP(LineConn):
    def __init__(self, conn):
        super().__init__(conn)
        self.events = []
        greeting = json.loads(self.readline())
        if 'QMP' not in greeting:
            raise Fail('no QMP greeting')
        self.version = greeting['QMP']['version']['qemu']
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        """The command's 'return', or Fail with QEMU's error text."""
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.send(json.dumps(msg).encode() + b'\n')
        while True:
            reply = json.loads(self.readline())
            if 'event' in reply:
                self.events.append(reply)
                continue
            if 'error' in reply:
                raise Fail('%s: %s' % (name, reply['error'].get('desc')))
            return reply.get('return')


class QTest(LineConn):
    def cmd(self, line):
        self.send(line.encode() + b'\n')
        while True:
            reply = self.readline()
            if reply.startswith('IRQ'):
                continue
            if not reply.startswith('OK'):
                raise Fail('qtest %r: %s' % (line, reply))
            return reply[3:].strip()

    def readl(self, addr):
        return int(self.cmd('readl 0x%x' % addr), 16)

    def writel(self, addr, val):
        self.cmd('writel 0x%x 0x%x' % (addr, val))

    def inl(self, port):
        return int(self.cmd('inl 0x%x' % port), 16)

    def outl(self, port, val):
        self.cmd('outl 0x%x 0x%x' % (port, val))

    def inb(self, port):
        return int(self.cmd('inb 0x%x' % port), 16)

    def outb(self, port, val):
        self.cmd('outb 0x%x 0x%x' % (port, val))

    def outw(self, port, val):
        self.cmd('outw 0x%x 0x%x' % (port, val))

    def write(self, addr, data):
        if data:
            self.cmd('b64write 0x%x 0x%x %s' % (
                addr, len(data), base64.b64encode(data).decode()))

    def read(self, addr, size):
        return base64.b64decode(self.cmd('b64read 0x%x 0x%x' % (addr, size)))

    # PCI configuration mechanism #1, bus 0.
    def _cfg(self, reg):
        self.outl(0xcf8, 0x80000000 | (PCI_SLOT << 11) | (reg & 0xfc))

    def cfg_readl(self, reg):
        self._cfg(reg)
        return self.inl(0xcfc)

    def cfg_writel(self, reg, val):
        self._cfg(reg)
        self.outl(0xcfc, val)

    def cfg_writew(self, reg, val):
        self._cfg(reg)
        self.outw(0xcfc + (reg & 2), val)


# ---- one QEMU process ---------------------------------------------------


def halt_bios(workdir):
    """A 64 KiB firmware whose reset vector halts the CPU for good: the
    vCPU can run (and migrate running) without executing anything, and
    no firmware touches the device."""
    path = os.path.join(workdir, 'halt.bin')
    if not os.path.exists(path):
        rom = bytearray(b'\xf4' * 0x10000)  # hlt
        rom[0xfff0:0xfff3] = b'\xf4\xeb\xfd'  # 1: hlt; jmp 1b
        with open(path + '.tmp', 'wb') as f:
            f.write(rom)
        os.rename(path + '.tmp', path)
    return path



class Qemu:
    def __init__(self, opts, name, sysfsdev, incoming):
        self.name = name
        self.sysfsdev = sysfsdev
        d = opts.workdir
        self.logpath = os.path.join(d, name + '.log')
        qmp = Listener(os.path.join(d, name + '.qmp'))
        qt = Listener(os.path.join(d, name + '.qtest'))
        dev = 'vfio-pci,sysfsdev=%s,addr=%d.0,id=acc' % (sysfsdev, PCI_SLOT)
        if opts.mode != 'default':
            dev += ',enable-migration=' + opts.mode
        if opts.vfio_opts:
            dev += ',' + opts.vfio_opts
        argv = [opts.qemu, '-nodefaults', '-no-user-config',
                '-display', 'none', '-machine', 'pc',
                '-accel', 'tcg,tb-size=16', '-m', opts.mem, '-S',
                '-bios', halt_bios(d),
                '-chardev', 'socket,id=qmp,path=' + qmp.path,
                '-mon', 'chardev=qmp,mode=control',
                '-qtest', 'unix:' + qt.path, '-qtest-log', 'none',
                '-device', dev]
        if incoming:
            argv += ['-incoming', 'defer']
        self.logf = open(self.logpath, 'ab')
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf)
        try:
            self.qmp = QMP(qmp.accept(self.proc, opts.timeout))
            self.qt = QTest(qt.accept(self.proc, opts.timeout))
        except Exception:
            self.kill()
            raise Fail('%s did not start: %s' % (name, self.log_tail()))
        finally:
            qmp.close()
            qt.close()
            os.unlink(qmp.path)
            os.unlink(qt.path)

    def log_tail(self, n=3):
        try:
            with open(self.logpath, 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
            return ' | '.join(lines[-n:]) or '(no output)'
        except OSError:
            return '(no log)'

    def status(self):
        """The run state, or 'exited' once QEMU is gone."""
        try:
            return self.qmp.cmd('query-status')['status']
        except (OSError, EOFError, ValueError):
            self.proc.wait(10)
            return 'exited(%d)' % self.proc.returncode

    def peak_rss_mb(self):
        """The process's peak resident memory (VmHWM), MiB."""
        try:
            with open('/proc/%d/status' % self.proc.pid) as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        return int(line.split()[1]) // 1024
        except OSError:
            pass
        return -1

    def alive(self):
        return self.proc.poll() is None

    def quit(self):
        if self.alive():
            try:
                self.qmp.cmd('quit')
            except (Fail, OSError, EOFError, ValueError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for c in ('qmp', 'qt'):
            if hasattr(self, c):
                getattr(self, c).close()
        self.logf.close()


# ---- the device, as a guest driver would see it ------------------------


class Device:
    """What the guest knows about the device, and what it expects back."""

    def __init__(self, opts, pair):
        self.opts = opts
        self.pair = pair
        self.kind = None
        self.expect = {}  # address -> value (MMIO) or ('io', port) -> value
        self.work = []  # (qp, sq, cq, requests) of queues with work
        self.digest = None

    def probe(self, qt):
        vid_did = qt.cfg_readl(0)
        vendor = vid_did & 0xffff
        if vendor == ACC_VENDOR:
            return 'accmdev'
        if vendor == MTTY_VENDOR:
            return 'mtty'
        raise Fail('unknown device %08x at slot %d' % (vid_did, PCI_SLOT))

    def bar0(self, qt):
        """BAR0's address, assigning it (and decoding) if unassigned."""
        if self.kind == 'accmdev':
            bar = qt.cfg_readl(0x10) & ~0xf
            if bar in (0, 0xfffffff0):
                qt.cfg_writel(0x10, BAR0_MEM)
                bar = BAR0_MEM
            qt.cfg_writew(0x04, 0x0006)  # memory space, bus master
        else:
            bar = qt.cfg_readl(0x10) & ~0x3
            if bar in (0, 0xfffffffc):
                qt.cfg_writel(0x10, BAR0_IO)
                bar = BAR0_IO
            qt.cfg_writew(0x04, 0x0005)  # I/O space, bus master
        return bar

    def program(self, qt):
        """Give the source device a state that is not its reset state."""
        self.kind = self.probe(qt)
        bar = self.bar0(qt)
        if self.kind == 'mtty':
            # Scratch register (offset 7) of port 0.
            val = 0x5a ^ (self.pair * 7)
            qt.outb(bar + 7, val)
            self.expect[('io', 7)] = val
            return
        ident = qt.readl(bar + REG_ID)
        if ident >> 16 != ACC_VENDOR:
            raise Fail('BAR0 reads %08x as the ID register' % ident)
        self.nqps = qt.readl(bar + REG_NUM_QPS)
        self.ident = ident
        busy = self.opts.inflight and min(self.opts.busy_qps or self.nqps,
                                          self.nqps) or 0
        if busy:
            self.queue_work(qt, bar, busy)
        for q in range(busy, self.nqps):
            # Disabled QPs: ring registers only; the values are
            # distinct per QP and per pair, read back after migration.
            base = 0x40000000 + (self.pair << 24) + (q << 16)
            regs = {QP_SQ_BASE_LO: base, QP_SQ_BASE_HI: q,
                    QP_CQ_BASE_LO: base + 0x8000, QP_CQ_BASE_HI: 0x100 + q,
                    QP_SQ_SIZE: 1 << (1 + q % 12),
                    QP_CQ_SIZE: 1 << (2 + q % 11)}
            for reg, val in regs.items():
                addr = bar + QP_REGS + q * QP_STRIDE + reg
                qt.writel(addr, val)
                self.expect[addr - bar] = val
        self.check_regs(qt, bar, 'source')

    def queue_work(self, qt, bar, busy):
        """Rings in guest RAM on QPs 0..busy-1, each with --inflight
        one-shot checksum requests over one shared input, and the
        doorbells."""
        n = self.opts.inflight
        size = 1 << max(1, n.bit_length())  # > n: SQ_TAIL = n fits
        if 2 * size * 64 > RING_STRIDE:
            raise Fail('--inflight %d: rings too large' % n)
        data = random.Random(self.pair).randbytes(self.opts.req_bytes)
        # A hash engine computes SHA-256, a compression engine CRC-32C
        # (every revision) or Adler-32; --deflate compresses instead,
        # every request into the same output buffer.
        algs = qt.readl(bar + REG_ALGS)
        dst, dst_len, param = 0, 0, 0
        self.data = data
        if self.opts.deflate:
            if not algs & (1 << OP_DEFLATE):
                raise Fail('no deflate in the device model (algs %#x)'
                           % algs)
            op, self.digest = OP_DEFLATE, None
            dst, param = DST_BUF, 9
            dst_len = min(MAX_DST, len(data) + len(data) // 8 + 1024)
        elif algs & (1 << OP_SHA256):
            op, self.digest = OP_SHA256, hashlib.sha256(data).digest()
        elif algs & (1 << OP_CRC32C):
            key = (self.pair, len(data))
            if key not in _SUMS:  # bytewise in Python: once per input
                _SUMS[key] = struct.pack('<I', crc32c(data))
            op, self.digest = OP_CRC32C, _SUMS[key]
        elif algs & (1 << OP_ADLER32):
            op = OP_ADLER32
            self.digest = struct.pack('<I', zlib.adler32(data))
        else:
            raise Fail('no checksum in the device model (algs %#x)' % algs)
        qt.write(SRC_BUF, data)
        for q in range(busy):
            sq = RING_BASE + q * RING_STRIDE
            cq = sq + RING_STRIDE // 2
            sqes = b''.join(struct.pack(SQE_FMT, op, SQE_ONESHOT, 0,
                                        param, (q << 32) | i, SRC_BUF, dst,
                                        len(data), dst_len)
                            for i in range(n))
            qt.write(sq, sqes)
            qt.write(cq, bytes(size * 64))
            r = bar + QP_REGS + q * QP_STRIDE
            regs = {QP_SQ_BASE_LO: sq, QP_SQ_BASE_HI: 0,
                    QP_CQ_BASE_LO: cq, QP_CQ_BASE_HI: 0,
                    QP_SQ_SIZE: size, QP_CQ_SIZE: size}
            for reg, val in regs.items():
                qt.writel(r + reg, val)
                self.expect[r + reg - bar] = val
            qt.writel(r + QP_ENABLE, 1)
            self.work.append((q, sq, cq, n))
        # Doorbells last, as close to the migration as possible.
        for q, _, _, n in self.work:
            qt.writel(bar + QP_REGS + q * QP_STRIDE + QP_SQ_TAIL, n)

    def check_regs(self, qt, bar, where):
        for key, want in sorted(self.expect.items(), key=str):
            if isinstance(key, tuple):
                got = qt.inb(bar + key[1])
            else:
                got = qt.readl(bar + key)
            if got != want:
                raise Fail('%s: register 0x%s reads 0x%x, not 0x%x'
                           % (where, key if isinstance(key, tuple) else
                              '%x' % key, got, want))
        return len(self.expect)

    def done_count(self, qt, bar):
        return sum(qt.readl(bar + QP_REGS + q * QP_STRIDE + QP_DONE_COUNT)
                   for q, _, _, _ in self.work)

    def answers(self, qt):
        """Does the device still answer its identity register?"""
        bar = self.bar0(qt)
        if self.kind == 'mtty':
            return qt.inb(bar + 7) == self.expect[('io', 7)]
        return qt.readl(bar + REG_ID) == self.ident

    def check_work(self, qt, bar, timeout):
        """Wait for every queued request's completion on this side and
        check it: tag, status and digest. Returns 'done/queued'."""
        total = sum(w[3] for w in self.work)
        end = time.monotonic() + timeout
        for q, _, cq, n in self.work:
            r = bar + QP_REGS + q * QP_STRIDE
            while qt.readl(r + QP_DONE_COUNT) < n:
                if qt.readl(r + QP_STATUS) & 2:
                    raise Fail('QP %d halted, error %d' % (
                        q, qt.readl(r + QP_ERROR)))
                if time.monotonic() > end:
                    raise Fail('QP %d: %d of %d requests done' % (
                        q, qt.readl(r + QP_DONE_COUNT), n))
                time.sleep(0.02)
            done = qt.readl(r + QP_DONE_COUNT)
            raw = qt.read(cq, (n + 1) * 64)
            if done != n or raw[n * 64 + 14] & 1:  # no extra CQE
                raise Fail('QP %d: %d completions for %d requests' % (
                    q, done, n))
            for i in range(n):
                tag, rlen, st, flags, _, op, _, seq, _, res = \
                    struct.unpack_from(CQE_FMT, raw, i * 64)
                good = (rlen > 0 if self.digest is None
                        else res[:rlen] == self.digest)
                if not flags & 1 or tag != (q << 32) | i or st != ST_OK \
                        or not good or seq != i + 1:
                    raise Fail('QP %d CQE %d: tag %x status %d seq %d '
                               'phase %d result %s' % (
                                   q, i, tag, st, seq, flags & 1,
                                   'ok' if good else 'bad'))
            if qt.readl(r + QP_FAIL_COUNT):
                raise Fail('QP %d counts failed requests' % q)
        if self.digest is None:
            # Every request wrote the same stream; the last one is there.
            out = qt.read(DST_BUF, rlen)
            if zlib.decompress(out) != self.data:
                raise Fail('the deflate output does not inflate to the input')
        return '%d/%d' % (total, total)


# ---- migration ----------------------------------------------------------


def wait_migration(qemu, timeout, final=('completed', 'failed', 'cancelled')):
    end = time.monotonic() + timeout
    while True:
        info = qemu.qmp.cmd('query-migrate')
        if info.get('status') in final:
            return info
        if time.monotonic() > end:
            raise Fail('%s: migration still %s after %ds' % (
                qemu.name, info.get('status'), timeout))
        time.sleep(0.01)


def migrate(opts, src, dst):
    """Migrate src -> dst. Returns (result, fields)."""
    f = {}
    if opts.return_path:
        # The destination tells the source how its load ended: without
        # it the source calls the migration complete once it has sent
        # everything, even if the destination then refuses the device
        # state (on 6.1, with no PRE_COPY, that is where the version
        # check happens).
        caps = [{'capability': 'return-path', 'state': True}]
        for q in (src, dst):
            q.qmp.cmd('migrate-set-capabilities', capabilities=caps)
    dst.qmp.cmd('migrate-incoming', uri='tcp:127.0.0.1:0')
    addr = dst.qmp.cmd('query-migrate').get('socket-address') or []
    port = [a['port'] for a in addr if a.get('type') == 'inet']
    if not port:
        raise Fail('destination reports no listening port: %r' % addr)
    src.qmp.cmd('migrate-set-parameters', **{
        'max-bandwidth': opts.bandwidth << 20,
        'downtime-limit': opts.downtime_limit})
    t0 = time.monotonic()
    try:
        src.qmp.cmd('migrate', uri='tcp:127.0.0.1:%s' % port[0])
    except Fail as e:
        f['error'] = '"%s"' % str(e).replace('"', "'")
        return 'blocked', f
    info = wait_migration(src, opts.timeout)
    f['wall_ms'] = '%.1f' % ((time.monotonic() - t0) * 1000)
    if info['status'] != 'completed':
        f['error'] = '"%s"' % info.get('error-desc', '').replace('"', "'")
        return info['status'], f
    for k in ('total-time', 'downtime', 'setup-time'):
        f[k.replace('-time', '').replace('-', '_') + '_ms'] = info.get(k, -1)
    f['vfio_bytes'] = info.get('vfio', {}).get('transferred', 0)
    f['ram_bytes'] = info.get('ram', {}).get('transferred', 0)
    # The destination has loaded everything once it leaves 'inmigrate'.
    # It was started with -S, so the VFIO device stays in RESUMING until
    # the VM runs: 'cont' is what a management layer does next, and the
    # device takes its state on that arc.
    end = time.monotonic() + opts.timeout
    while True:
        st = dst.status()
        if st.startswith('exited'):
            # Sent in full, refused by the destination (no return path).
            f['error'] = '"destination %s"' % st
            return 'dst-failed', f
        if st != 'inmigrate':
            f['dst_status'] = st
            break
        if time.monotonic() > end:
            raise Fail('destination %s after the migration' % st)
        time.sleep(0.01)
    dst.qmp.cmd('cont')
    f['dst_after'] = dst.status()
    return 'completed', f


def mdev_type(path):
    try:
        return os.path.basename(os.readlink(os.path.join(path, 'mdev_type')))
    except OSError:
        return '?'


def summarize(pr):
    """One line of medians and spread over a pair's completed rounds."""
    figs = pr['figs']
    out = ['summary pair=%d type=%s n=%d' % (pr['index'], pr['type'],
                                             len(figs))]
    for k in ('downtime_ms', 'total_ms', 'setup_ms', 'wall_ms',
              'vfio_bytes', 'ram_bytes', 'src_done', 'src_rss_mb'):
        v = sorted(float(f[k]) for f in figs if k in f)
        if not v:
            continue
        q = (statistics.quantiles(v, n=10, method='inclusive')
             if len(v) > 1 else v * 9)
        out.append('%s=%g[p10=%g,p90=%g,min=%g,max=%g]' % (
            k, statistics.median(v), q[0], q[-1], v[0], v[-1]))
    print(' '.join(out), flush=True)


def sysfs_path(arg):
    if arg.startswith('/'):
        return arg.rstrip('/')
    return '/sys/bus/mdev/devices/' + arg


def start_source(opts, pr):
    """A fresh QEMU on the pair's current device, programmed as the
    guest would have it."""
    pr['dev'] = Device(opts, pr['index'])
    pr['q'] = new_qemu(opts, pr, pr['devs'][pr['cur']], False)
    pr['dev'].program(pr['q'].qt)
    if opts.run or opts.inflight:
        # Queued work needs a running VM. QEMU stops VFIO devices when
        # the VM stops; a VM that never ran (-S) has its devices
        # running all along, and QEMU then stops them only in their own
        # save_complete, after RAM's last dirty-page sync: writes the
        # device makes in between would be lost. A guest cannot queue
        # work before it runs; only a harness like this one can.
        pr['q'].qmp.cmd('cont')


def new_qemu(opts, pr, sysfsdev, incoming):
    pr['seq'] += 1
    return Qemu(opts, 'p%d-%d' % (pr['index'], pr['seq']), sysfsdev,
                incoming)


def run(opts):
    pairs = []
    for i, p in enumerate(opts.pairs):
        a, sep, b = p.partition(':')
        if not sep or not a or not b:
            raise Fail('pair %r: want SRC:DST' % p)
        devs = [sysfs_path(a), sysfs_path(b)]
        pairs.append({'devs': devs, 'cur': 0, 'type': mdev_type(devs[0]),
                      'index': i, 'seq': 0, 'q': None, 'figs': []})
    ok = True
    try:
        for rep in range(opts.repeat):
            for pr in pairs:
                if not pr.get('broken'):
                    start_source(opts, pr)
            if opts.run and opts.settle:
                time.sleep(opts.settle)
            if rep == 0:
                print('qemu version=%d.%d.%d' % tuple(
                    pairs[0]['q'].qmp.version[k]
                    for k in ('major', 'minor', 'micro')), flush=True)
            for rnd in range(opts.rounds):
                for pr in pairs:
                    if pr.get('broken'):
                        continue
                    good = one_round(opts, pr, rep * opts.rounds + rnd)
                    ok &= good
                    if not good:
                        # The source did not move: no further round for
                        # this pair.
                        pr['broken'] = True
                        if opts.stop_on_error:
                            return 1
            for pr in pairs:
                if pr['q']:
                    pr['q'].quit()
                    pr['q'] = None
        if opts.summary:
            for pr in pairs:
                summarize(pr)
    finally:
        for pr in pairs:
            if pr.get('q'):
                pr['q'].quit()
    return 0 if ok else 1


def one_round(opts, pr, rnd):
    dev = pr['dev']
    src = pr['q']
    before = src.status()
    nxt = 1 - pr['cur']
    dst = new_qemu(opts, pr, pr['devs'][nxt], True)
    out = ['mig pair=%d round=%d' % (pr['index'], rnd)]
    if opts.summary:
        out.append('type=' + pr['type'])
    good = True
    try:
        result, f = migrate(opts, src, dst)
        out.append('result=' + result)
        out += ['%s=%s' % kv for kv in f.items()]
        if result == 'completed':
            bar = dev.bar0(dst.qt)
            out.append('regs=%d' % dev.check_regs(dst.qt, bar, 'destination'))
            if dev.work:
                out.append('done=' + dev.check_work(dst.qt, bar,
                                                    opts.timeout))
            out.append('src_after=' + src.status())
            f['src_rss_mb'] = src.peak_rss_mb()
            out.append('src_rss_mb=%d' % f['src_rss_mb'])
            if dev.work:
                # The source device is stopped: its counters tell how
                # much of the queued work ran before the switch-over.
                f['src_done'] = dev.done_count(src.qt, dev.bar0(src.qt))
                out.append('src_done=%d' % f['src_done'])
            src.quit()
            pr['q'], pr['cur'] = dst, nxt
            pr['figs'].append(f)
            good = opts.expect == 'completed'
        else:
            # The source must be as it was: same run state, the device
            # answering with the state it had.
            time.sleep(0.1)
            after = src.status()
            out += ['src_before=' + before, 'src_status=' + after]
            bar = dev.bar0(src.qt)
            out.append('device=' + ('answers' if dev.answers(src.qt)
                                    else 'silent'))
            out.append('regs=%d' % dev.check_regs(src.qt, bar, 'source'))
            out.append('dst=' + dst.status())
            dst.quit()
            out.append('dst_error="%s"' % dst.log_tail(1).replace('"', "'"))
            good = (opts.expect == result or
                    (opts.expect == 'failed' and result == 'blocked'))
            if result != 'dst-failed':
                good = good and after == before
            good = good and 'device=silent' not in out
    except (Fail, OSError, EOFError, ValueError) as e:
        out.append('result=error error="%s"' % str(e).replace('"', "'"))
        if os.environ.get('QEMU_MIG_DEBUG'):
            traceback.print_exc()
        for side, q in (('src', src), ('dst', dst)):
            try:
                q.proc.wait(5)
                out.append('%s_exit=%d' % (side, q.proc.returncode))
            except subprocess.TimeoutExpired:
                out.append('%s_exit=running' % side)
        out.append('src_log="%s"' % src.log_tail().replace('"', "'"))
        out.append('dst_log="%s"' % dst.log_tail().replace('"', "'"))
        dst.quit()
        good = False
    print(' '.join(str(x) for x in out), flush=True)
    return good


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('pairs', nargs='+', metavar='SRC:DST')
    ap.add_argument('--qemu', default=shutil.which('qemu-system-x86_64')
                    or 'qemu-system-x86_64')
    ap.add_argument('--mode', default='on',
                    choices=['on', 'auto', 'off', 'default'],
                    help='enable-migration= of vfio-pci (default: on; '
                    '"default" leaves it out)')
    ap.add_argument('--rounds', type=int, default=1,
                    help='migrations there and back per source QEMU')
    ap.add_argument('--repeat', type=int, default=1,
                    help='start afresh (new source QEMU, device programmed '
                    'and work queued again) this many times')
    ap.add_argument('--expect', default='completed',
                    choices=['completed', 'failed', 'blocked', 'dst-failed'])
    ap.add_argument('--run', action='store_true',
                    help='run the source vCPU (it only halts) while '
                    'migrating, instead of leaving it stopped (-S)')
    ap.add_argument('--settle', type=float, default=0,
                    help='seconds to wait after starting the vCPUs')
    ap.add_argument('--inflight', type=int, default=0,
                    help='implies --run; one-shot checksum requests queued '
                    'per busy QP '
                    '(SHA-256 on a hash engine, CRC-32C on a compression '
                    'engine)')
    ap.add_argument('--deflate', action='store_true',
                    help='queue zlib deflate (level 9) requests instead of '
                    'checksums: slower, so that work is still queued at '
                    'the switch-over')
    ap.add_argument('--busy-qps', type=int, default=0,
                    help='QPs with queued work (default: all)')
    ap.add_argument('--req-bytes', type=int, default=4096)
    ap.add_argument('--vfio-opts', default='',
                    help='more vfio-pci properties, e.g. '
                    'x-device-dirty-page-tracking=off')
    ap.add_argument('--mem', default='32M')
    ap.add_argument('--bandwidth', type=int, default=1024,
                    help='max-bandwidth, MiB/s')
    ap.add_argument('--downtime-limit', type=int, default=300,
                    help='ms')
    ap.add_argument('--timeout', type=int, default=120)
    ap.add_argument('--no-return-path', dest='return_path',
                    action='store_false',
                    help='leave the return-path capability off')
    ap.add_argument('--stop-on-error', action='store_true')
    ap.add_argument('--summary', action='store_true',
                    help='label lines with the mdev type, and end with '
                    'medians per pair')
    ap.add_argument('--workdir')
    opts = ap.parse_args()
    tmp = None
    if not opts.workdir:
        tmp = opts.workdir = tempfile.mkdtemp(prefix='qemu-mig.')
    try:
        return run(opts)
    except Fail as e:
        print('error: %s' % e, flush=True)
        return 1
    finally:
        if tmp and not os.environ.get('QEMU_MIG_KEEP'):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
