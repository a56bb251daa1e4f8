import { it } from 'vitest';
import { fold } from '../../protocol/reducer';
import { DAY0, EventLog, MINUTE } from '../../tests/protocol/builders';
it('x', () => {
  const log = new EventLog();
  log.reported('a', DAY0); log.whistled('a', DAY0 + 3*MINUTE, 'w'); log.departmentReported('a', DAY0+20*MINUTE, 'w', 's-ps-1', 'arrived');
  log.lifecycle('b', DAY0, { rating: 3 });
  fold(log.events, { onReject: (e, f, r) => console.log(e.type, f, r) });
});
