// Files from a drop: plain files, or whole folders walked recursively (DataTransferItem.webkitGetAsEntry).

export interface PickedFile { file: File; name: string }

const skip = (name: string) => name.startsWith(".") || name === "Thumbs.db" || name === "desktop.ini";

export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = [...dt.items].map(i => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...dt.files].filter(f => !skip(f.name)).map(f => ({ file: f, name: f.name }));
  const out: PickedFile[] = [];
  for (const e of entries) await walk(e, "", out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (skip(entry.name)) return;
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, name: prefix + entry.name });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

export function filesFromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].filter(f => !skip(f.name)).map(f => ({ file: f, name: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name }));
}
