import { singletonStoryAssigner, type StoryAssigner } from '../pipeline/story-assigner.js';

export interface StoryAssignerOptions {
  windowHours: number;
}

/** The worker's story assigner. Until the Postgres candidate index is wired in, every item is its own story. */
export function createStoryAssigner(_options: StoryAssignerOptions): StoryAssigner {
  return singletonStoryAssigner;
}
