import { Anchor, Badge, Card, Checkbox, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconCircleDashed,
  IconLoader2,
  IconLock,
  IconPlugConnectedX,
  IconRefresh,
  IconShieldExclamation,
  IconDownload,
  type Icon,
} from '@tabler/icons-react';
import { memo } from 'react';
import { Link } from 'react-router';
import type { MachineView } from '../api/types.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import { BlockedBadge } from './blocked-badge.tsx';
import { tileStatus, type TileStatus } from './machine-status.ts';
import classes from './dashboard.module.css';

/** Each status has an icon and words as well as a colour: colour alone never carries meaning. */
const LOOK: Record<TileStatus, { color: string; icon: Icon }> = {
  blocked: { color: 'red', icon: IconLock },
  running: { color: 'blue', icon: IconLoader2 },
  error: { color: 'red', icon: IconAlertTriangle },
  offline: { color: 'orange', icon: IconPlugConnectedX },
  unknown: { color: 'gray', icon: IconCircleDashed },
  security: { color: 'orange', icon: IconShieldExclamation },
  updates: { color: 'yellow', icon: IconDownload },
  ok: { color: 'teal', icon: IconCircleCheck },
};

/**
 * One machine of the dashboard, from its derived state only. Every value is rendered as text. Its height is the grid's
 * (fixed, so rows are never measured): the lines that could grow are clamped to one line. Its layout and text are plain
 * elements with the module's classes (Mantine's variables), not Mantine's Group/Stack/Text: a third of the components
 * a tile rendered, for the same look (ADR 0041). Memoized: a live change
 * of one machine, a selection or the grid measuring its rows re-renders the tiles that changed, not every tile shown.
 */
export const MachineTile = memo(function MachineTile({
  machine,
  selected,
  onSelect,
}: {
  machine: MachineView;
  selected?: boolean;
  onSelect?: (id: string, on: boolean) => void;
}) {
  const { t, prefs } = usePreferences();
  const status = tileStatus(machine);
  const look = LOOK[status];
  const s = machine.state;
  const compact = prefs.density === 'compact';
  const kindKey = `kind.${machine.machineKind}`;
  const os = [machine.osFamily, machine.osVersion, machine.osCodename].filter(Boolean).join(' ') || t('tile.unknownOs');
  const remedyKey = s?.lastErrorKind ? `remedy.${s.lastErrorKind}` : '';
  const titleId = `tile-${machine.id}`;
  return (
    <Card
      withBorder
      padding={compact ? 'xs' : 'md'}
      radius="md"
      h="100%"
      className={classes.tile}
      component="article"
      aria-labelledby={titleId}
      data-testid="machine-tile"
    >
      <div className={classes.stack} data-compact={compact || undefined}>
        <div className={classes.head}>
          <div className={classes.name}>
            {onSelect && (
              <Checkbox
                mt={2}
                checked={selected ?? false}
                onChange={(e) => onSelect(machine.id, e.currentTarget.checked)}
                aria-label={t('tile.select', { name: machine.name })}
                data-testid="tile-select"
              />
            )}
            <Title order={3} size="h5" id={titleId} lineClamp={1} style={{ overflowWrap: 'anywhere' }}>
              <Anchor component={Link} to={`/machines/${machine.id}`} inherit>
                {machine.name}
              </Anchor>
            </Title>
          </div>
          <Badge
            color={look.color}
            variant="light"
            leftSection={<look.icon size={14} aria-hidden />}
            data-testid="tile-status"
            style={{ flexShrink: 0 }}
          >
            {t(`status.${status}`)}
          </Badge>
        </div>
        <p className={`${classes.sm} ${classes.dimmed} ${classes.clamp}`}>
          {os} · {isMessageKey(kindKey) ? t(kindKey) : machine.machineKind}
        </p>
        {s && s.aptLastAnalyzeAt ? (
          <div className={classes.row}>
            <p className={classes.sm} data-testid="tile-updates">
              {s.aptUpdatesCount > 0 ? t('tile.updates', { count: s.aptUpdatesCount }) : t('tile.noUpdates')}
            </p>
            {s.aptSecurityCount > 0 && (
              <Badge color="orange" variant="outline" leftSection={<IconShieldExclamation size={12} aria-hidden />}>
                {t('tile.security', { count: s.aptSecurityCount })}
              </Badge>
            )}
          </div>
        ) : (
          <p className={`${classes.sm} ${classes.dimmed}`}>{t('tile.notAnalysed')}</p>
        )}
        <div className={classes.badges}>
          {s?.aptRebootRequired && (
            <Badge color="violet" variant="light" leftSection={<IconRefresh size={12} aria-hidden />}>
              {t('tile.reboot')}
            </Badge>
          )}
          {s?.runningJobId && (
            <Badge color="blue" variant="light" leftSection={<IconLoader2 size={12} aria-hidden />}>
              {t('tile.running')}
            </Badge>
          )}
          {s?.blocked && (
            <BlockedBadge label={t('tile.blocked')} reason={s.blockedReason} />
          )}
        </div>
        {s?.blocked && s.blockedReason && (
          <p className={`${classes.xs} ${classes.red} ${classes.clamp}`}>{s.blockedReason}</p>
        )}
        {s?.lastErrorKind && (
          <div>
            <p className={`${classes.sm} ${classes.medium}`}>{t('tile.lastError', { kind: s.lastErrorKind })}</p>
            <p className={`${classes.xs} ${classes.dimmed} ${classes.clamp}`}>
              {isMessageKey(remedyKey) ? t(remedyKey) : t('remedy.default')}
            </p>
          </div>
        )}
        {machine.tags.length > 0 && (
          <div className={classes.tags} aria-label={t('tile.tags')}>
            {machine.tags.map((tag) => (
              <Badge key={tag} size="xs" variant="default">
                {tag}
              </Badge>
            ))}
          </div>
        )}
      </div>
    </Card>
  );
}, sameTile);

// The state fields a tile shows (tileStatus reads status, blocked, runningJobId, lastErrorKind and the counts).
const SHOWN_STATE = [
  'status',
  'blocked',
  'blockedReason',
  'runningJobId',
  'lastErrorKind',
  'aptLastAnalyzeAt',
  'aptUpdatesCount',
  'aptSecurityCount',
  'aptRebootRequired',
] as const;
const SHOWN = ['id', 'name', 'osFamily', 'osVersion', 'osCodename', 'machineKind'] as const;

/**
 * Whether a tile would draw the same: the fields it shows, compared one by one. The whole fleet arriving after its
 * first page (or a refetch) brings new objects for the same machines; their tiles are not drawn again.
 */
function sameTile(
  a: {
    machine: MachineView;
    selected?: boolean | undefined;
    onSelect?: ((id: string, on: boolean) => void) | undefined;
  },
  b: typeof a,
): boolean {
  if (a.selected !== b.selected || a.onSelect !== b.onSelect) return false;
  const [m, n] = [a.machine, b.machine];
  if (m === n) return true;
  if (SHOWN.some((k) => m[k] !== n[k]) || m.tags.join('\n') !== n.tags.join('\n')) return false;
  if (!m.state || !n.state) return m.state === n.state;
  return SHOWN_STATE.every((k) => m.state?.[k] === n.state?.[k]);
}
