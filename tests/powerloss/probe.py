"""The power-loss shim's own checks (test_powerloss.sh): each case makes
some changes below POWERLOSS_ROOT through libc, as a program would, with
or without the syncs that make them durable; the test then rolls back
(pl_rollback) and looks at what is left. Run under LD_PRELOAD=libpowerloss.so.
usage: probe.py CASE   (CASE: a function name below without "case_")"""
import ctypes
import os
import sqlite3
import sys

R = os.environ["POWERLOSS_ROOT"]
libc = ctypes.CDLL(None, use_errno=True)  # resolves through the preloaded shim first


def put(path, data, sync=False, flags=0):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o644)
    os.write(fd, data)
    if sync:
        os.fsync(fd)
    os.close(fd)


def dirsync(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    os.close(fd)


def case_write_nosync():
    put(R + "/new", b"gone")
    fd = os.open(R + "/old", os.O_WRONLY)
    os.pwrite(fd, b"HELLO", 0)
    os.lseek(fd, 0, os.SEEK_END)
    os.write(fd, b" and more")
    os.close(fd)


def case_write_fsync():
    fd = os.open(R + "/old", os.O_WRONLY)
    os.pwrite(fd, b"HELLO", 0)
    os.fsync(fd)
    os.close(fd)


def case_create_fsync_only():
    put(R + "/new", b"data", sync=True)


def case_create_dirsync_only():
    put(R + "/new", b"data")
    dirsync(R)


def case_rename_nodirsync():
    put(R + "/tmp", b"replacement", sync=True)
    os.rename(R + "/tmp", R + "/old")


def case_rename_dirsync():
    case_rename_nodirsync()
    dirsync(R)


def case_unlink_nodirsync():
    os.unlink(R + "/old")


def case_unlink_dirsync():
    os.unlink(R + "/old")
    dirsync(R)


def case_truncate_nosync():
    os.truncate(R + "/old", 2)
    put(R + "/old2", b"x", flags=os.O_TRUNC)


def case_mkdir_subdir_synced():
    os.mkdir(R + "/d")
    put(R + "/d/f", b"data", sync=True)
    dirsync(R + "/d")


def case_syncfs():
    put(R + "/new", b"kept")
    os.rename(R + "/old2", R + "/renamed")
    os.mkdir(R + "/d")
    fd = os.open(R, os.O_RDONLY | os.O_DIRECTORY)
    libc.syncfs(fd)
    os.close(fd)


def case_stdio():
    """As file_write_atomic: mkstemp, fdopen, fwrite, fflush, then a rename
    and a directory sync, but no fsync of the content."""
    libc.fdopen.restype = ctypes.c_void_p
    tmpl = ctypes.create_string_buffer((R + "/cp.tmp.XXXXXX").encode())
    fd = libc.mkstemp(tmpl)
    f = ctypes.c_void_p(libc.fdopen(fd, b"wb"))
    libc.fwrite(b"signed", 1, 6, f)
    libc.fflush(f)
    libc.fclose(f)
    os.rename(tmpl.value.decode(), R + "/cp")
    dirsync(R)


def case_sqlite():
    """A commit with synchronous=FULL survives, one with OFF does not."""
    con = sqlite3.connect(R + "/db")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.execute("PRAGMA synchronous=OFF")
    con.execute("INSERT INTO t VALUES (2)")
    con.commit()
    os.kill(os.getpid(), 9)  # no clean close: a power cut


globals()["case_" + sys.argv[1]]()
