import { additiveDayMart } from './additive-day-mart';
import type { MartBuilder } from './mart-builder';
import { projectMart } from './project-mart';
import { sessionMart } from './session-mart';

/** Every mart, in dependency order (project_mart reads daily_mart). */
export const MARTS: readonly MartBuilder[] = [
  additiveDayMart('daily_mart', ['day', 'project_id', 'agent', 'model_id', 'speed']),
  additiveDayMart('provider_day_mart', ['day', 'agent']),
  additiveDayMart('model_day_mart', ['day', 'model_id', 'speed']),
  sessionMart,
  projectMart,
];
