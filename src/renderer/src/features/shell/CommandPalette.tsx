import { Modal, Text } from '@mantine/core';
import { Command } from 'cmdk';
import { useEffect, useState } from 'react';
import './command-palette.css';

export interface PaletteAction {
  id: string;
  group: string;
  label: string;
  /** Extra words to match ("switch", a project's id). */
  keywords?: string[];
  run: () => void;
}

/** Ctrl+K (Cmd+K): every view, project and main action, found by typing. Esc closes it. */
export function CommandPalette({ actions }: { actions: PaletteAction[] }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const groups = [...new Set(actions.map((a) => a.group))];
  return (
    <Modal
      opened={open}
      onClose={() => setOpen(false)}
      withCloseButton={false}
      padding={0}
      size="lg"
      title={<Text size="sm">Command palette</Text>}
      yOffset="12vh"
    >
      <Command label="Command palette" className="plateau-cmdk">
        <Command.Input placeholder="Type a command, a view or a project…" autoFocus />
        <Command.List>
          <Command.Empty>No match.</Command.Empty>
          {groups.map((g) => (
            <Command.Group key={g} heading={g}>
              {actions
                .filter((a) => a.group === g)
                .map((a) => (
                  <Command.Item
                    key={a.id}
                    value={`${a.group} ${a.label} ${(a.keywords ?? []).join(' ')}`}
                    onSelect={() => {
                      setOpen(false);
                      a.run();
                    }}
                  >
                    {a.label}
                  </Command.Item>
                ))}
            </Command.Group>
          ))}
        </Command.List>
      </Command>
    </Modal>
  );
}
