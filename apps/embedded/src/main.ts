import { runMain } from '@pitwall/service';
import { startEmbedded } from './embedded';

void runMain('pitwall', startEmbedded, { defaultHealthPort: 9400 });
