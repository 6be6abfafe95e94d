import { ensureTestModel } from '../fixtures/testModels';
import { ensureRendererBuild } from './support/ensureRendererBuild';

/** Before any e2e test: a current renderer build for `veil serve` to serve, and the generated tiny model. */
export default async function globalSetup(): Promise<void> {
  await ensureRendererBuild();
  await ensureTestModel('tiny');
}
