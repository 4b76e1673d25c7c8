import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, FileEntry, SFTPWrapper } from 'ssh2';

const { STATUS_CODE, flagsToString } = ssh2.utils.sftp;

type Handle = { kind: 'file'; file: FileHandle } | { kind: 'dir'; path: string; listed: boolean };

function toAttrs(s: Stats): Attributes {
  return {
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    atime: Math.floor(s.atimeMs / 1000),
    mtime: Math.floor(s.mtimeMs / 1000),
  };
}

function statusFor(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

function longname(name: string, s: Stats): string {
  const type = s.isDirectory() ? 'd' : '-';
  return `${type}rw-r--r-- 1 hub hub ${s.size} Jan  1 00:00 ${name}`;
}

/**
 * Answers SFTP v3 requests from a real directory on disk. RENAME keeps the protocol's v3
 * semantics (and OpenSSH's): it fails when the target exists, so connectors must not rely
 * on a plain rename to overwrite.
 */
export function serveSftpDirectory(sftp: SFTPWrapper, root: string): void {
  const handles = new Map<string, Handle>();
  let nextHandle = 0;

  // Client paths are resolved against "/" first so "../" can never leave the root.
  const onDisk = (path: string): string => join(root, posix.resolve('/', path));
  const newHandle = (h: Handle): Buffer => {
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(nextHandle++);
    handles.set(buf.toString('hex'), h);
    return buf;
  };
  // Every request answers exactly once: the result, or a status derived from the error.
  const reply = (reqid: number, work: () => Promise<void>): void => {
    work().catch((err: unknown) => sftp.status(reqid, statusFor(err)));
  };
  const ok = (reqid: number): void => {
    sftp.status(reqid, STATUS_CODE.OK);
  };

  sftp.on('REALPATH', (reqid, path) => {
    const resolved = posix.resolve('/', path);
    sftp.name(reqid, [{ filename: resolved, longname: resolved, attrs: {} as Attributes }]);
  });

  sftp.on('STAT', (reqid, path) =>
    reply(reqid, async () => {
      sftp.attrs(reqid, toAttrs(await stat(onDisk(path))));
    }),
  );
  sftp.on('LSTAT', (reqid, path) =>
    reply(reqid, async () => {
      sftp.attrs(reqid, toAttrs(await lstat(onDisk(path))));
    }),
  );

  sftp.on('OPEN', (reqid, filename, flags, attrs) =>
    reply(reqid, async () => {
      const mode = flagsToString(flags);
      if (!mode) return void sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED);
      const file = await open(onDisk(filename), mode, attrs.mode ?? 0o644);
      sftp.handle(reqid, newHandle({ kind: 'file', file }));
    }),
  );

  const fileOf = (handle: Buffer): FileHandle | undefined => {
    const h = handles.get(handle.toString('hex'));
    return h?.kind === 'file' ? h.file : undefined;
  };

  sftp.on('WRITE', (reqid, handle, offset, data) =>
    reply(reqid, async () => {
      const file = fileOf(handle);
      if (!file) return void sftp.status(reqid, STATUS_CODE.FAILURE);
      await file.write(data, 0, data.length, offset);
      ok(reqid);
    }),
  );

  sftp.on('READ', (reqid, handle, offset, length) =>
    reply(reqid, async () => {
      const file = fileOf(handle);
      if (!file) return void sftp.status(reqid, STATUS_CODE.FAILURE);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await file.read(buf, 0, length, offset);
      if (bytesRead === 0) return void sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, buf.subarray(0, bytesRead));
    }),
  );

  sftp.on('FSTAT', (reqid, handle) =>
    reply(reqid, async () => {
      const file = fileOf(handle);
      if (!file) return void sftp.status(reqid, STATUS_CODE.FAILURE);
      sftp.attrs(reqid, toAttrs(await file.stat()));
    }),
  );

  // ssh2's write stream sends FSETSTAT (then SETSTAT) to apply the mode; uploads fail without an OK.
  sftp.on('FSETSTAT', (reqid) => ok(reqid));
  sftp.on('SETSTAT', (reqid) => ok(reqid));

  sftp.on('CLOSE', (reqid, handle) =>
    reply(reqid, async () => {
      const key = handle.toString('hex');
      const h = handles.get(key);
      if (!h) return void sftp.status(reqid, STATUS_CODE.FAILURE);
      handles.delete(key);
      if (h.kind === 'file') await h.file.close();
      ok(reqid);
    }),
  );

  sftp.on('OPENDIR', (reqid, path) =>
    reply(reqid, async () => {
      const dir = onDisk(path);
      if (!(await stat(dir)).isDirectory()) return void sftp.status(reqid, STATUS_CODE.FAILURE);
      sftp.handle(reqid, newHandle({ kind: 'dir', path: dir, listed: false }));
    }),
  );

  sftp.on('READDIR', (reqid, handle) =>
    reply(reqid, async () => {
      const h = handles.get(handle.toString('hex'));
      if (h?.kind !== 'dir') return void sftp.status(reqid, STATUS_CODE.FAILURE);
      if (h.listed) return void sftp.status(reqid, STATUS_CODE.EOF);
      h.listed = true;
      const entries: FileEntry[] = [];
      for (const name of await readdir(h.path)) {
        const s = await lstat(join(h.path, name));
        entries.push({ filename: name, longname: longname(name, s), attrs: toAttrs(s) as FileEntry['attrs'] });
      }
      if (entries.length === 0) return void sftp.status(reqid, STATUS_CODE.EOF);
      sftp.name(reqid, entries);
    }),
  );

  const okAfter = (reqid: number, work: () => Promise<unknown>): void =>
    reply(reqid, async () => {
      await work();
      ok(reqid);
    });
  sftp.on('MKDIR', (reqid, path) => okAfter(reqid, () => mkdir(onDisk(path))));
  sftp.on('RMDIR', (reqid, path) => okAfter(reqid, () => rmdir(onDisk(path))));
  sftp.on('REMOVE', (reqid, path) => okAfter(reqid, () => unlink(onDisk(path))));

  sftp.on('RENAME', (reqid, oldPath, newPath) =>
    reply(reqid, async () => {
      const target = onDisk(newPath);
      const exists = await lstat(target).then(
        () => true,
        () => false,
      );
      if (exists) return void sftp.status(reqid, STATUS_CODE.FAILURE, 'target exists');
      await rename(onDisk(oldPath), target);
      ok(reqid);
    }),
  );

  // Close any file handles the client abandoned so the temp directory can be removed.
  sftp.on('close', () => {
    for (const h of handles.values()) if (h.kind === 'file') void h.file.close().catch(() => undefined);
    handles.clear();
  });
}
