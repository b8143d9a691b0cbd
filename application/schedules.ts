import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';

/** What a Schedule of this system is made of: when it fires, what it starts, and its overlap and catch-up rules. */
export type ScheduleSettings = Pick<ScheduleOptions, 'spec' | 'action' | 'policies'>;

/**
 * Creates the Schedule, or brings the existing one to these settings: installing twice leaves one
 * schedule. Then reads it back as `show` presents it, with whether it was new.
 */
export async function installSchedule<Shown>(
  client: Client,
  scheduleId: string,
  settings: ScheduleSettings,
  show: (client: Client) => Promise<Shown | undefined>,
): Promise<Shown & { created: boolean }> {
  let created = true;
  try {
    await client.schedule.create({ scheduleId, ...settings });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    created = false;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...settings }));
  }
  const shown = await show(client);
  if (shown === undefined) throw new Error(`schedule ${scheduleId} vanished right after it was installed`);
  return { ...shown, created };
}

/** The Schedule as Temporal describes it, or undefined when none is installed. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}
