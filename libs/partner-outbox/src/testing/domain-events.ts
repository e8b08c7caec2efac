import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@childledger/event-store';

/** Realistic child and case events (the shapes of docs/events.md) for partner-stream tests and the feed bench. */
export const at = (n = 0): string => new Date(Date.UTC(2025, 7, 1, 3) + n * 60_000).toISOString();

export function childRegistered(childId: string, communeCode: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'ChildRegistered',
    data: {
      childId,
      sex: n % 2 ? 'M' : 'F',
      residence: { communeCode, effectiveFrom: '2025-07-01' },
      registeredAt: at(n),
      personal: { fullName: `Nguyễn Thị Thu Hà ${n}`, dateOfBirth: '2016-03-14', personalId: '001316000456', motherName: 'Trần Thị Lan' },
    },
    metadata: { actor: { userId: 'officer-1', role: 'data_officer', unit: communeCode }, correlationId: randomUUID() },
  };
}

export function residenceChanged(childId: string, from: string, to: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'ResidenceChanged',
    data: { childId, communeCode: to, effectiveFrom: '2025-08-01', previousCommuneCode: from, recordedAt: at(n) },
  };
}

export function specialCircumstanceIdentified(childId: string, group = 3, n = 0): NewEvent {
  return { id: randomUUID(), type: 'SpecialCircumstanceIdentified', data: { childId, group, effectiveFrom: '2025-07-15', recordedAt: at(n) } };
}

export function nationalIdLinked(childId: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'NationalIdLinked',
    data: { childId, source: 'identity_adapter', matchScore: 0.97, linkedAt: at(n), personal: { personalId: '001316000456' } },
  };
}

export function childPersonalDataErased(childId: string, n = 0): NewEvent {
  return { id: randomUUID(), type: 'ChildPersonalDataErased', data: { childId, reason: 'request of the guardian (Art. 33)', erasedAt: at(n) } };
}

export function caseOpened(caseId: string, childId: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'CaseOpened',
    data: {
      caseId,
      childId,
      channel: 'school',
      concern: 'neglect',
      protectionLevel: 'support',
      reportedAt: at(n),
      openedAt: at(n),
      assessmentDueAt: at(n + 720),
      personal: { description: 'Teacher reports repeated absences.' },
    },
  };
}

export function interventionPlanned(caseId: string, serviceType: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'InterventionPlanned',
    data: {
      caseId,
      interventionId: randomUUID(),
      serviceType,
      provider: 'Trạm y tế xã',
      plannedStart: '2025-08-02',
      plannedEnd: '2025-09-01',
      plannedAt: at(n),
    },
  };
}

export function interventionDelivered(caseId: string, serviceType: string, n = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'InterventionDelivered',
    data: {
      caseId,
      interventionId: randomUUID(),
      serviceType,
      provider: 'Trạm y tế xã',
      deliveredOn: '2025-08-20',
      dueAt: '2025-09-01',
      onTime: true,
      recordedAt: at(n),
      personal: { notes: 'Vaccinations brought up to date.' },
    },
  };
}
