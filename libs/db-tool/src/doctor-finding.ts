export type FindingStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report: what was checked, what was found, and what to do when it is not ok. */
export interface DoctorFinding {
  check: string;
  status: FindingStatus;
  detail: string;
  remedy?: string;
}

export const ok = (check: string, detail: string): DoctorFinding => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, remedy: string): DoctorFinding => ({
  check,
  status: 'warn',
  detail,
  remedy,
});
export const fail = (check: string, detail: string, remedy: string): DoctorFinding => ({
  check,
  status: 'fail',
  detail,
  remedy,
});
