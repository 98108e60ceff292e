import { AfterQueryEvent, EntitySubscriberInterface, EventSubscriber } from 'typeorm';

/**
 * mysql2 answers a timed-out query with PROTOCOL_SEQUENCE_TIMEOUT but keeps the connection, with
 * the query still pending on it: back in the pool, every later query on it would wait behind
 * that one, without a timeout of its own (it starts counting only once it is sent). So a
 * connection whose query timed out is destroyed; the pool opens a fresh one when needed.
 */
@EventSubscriber()
export class DropTimedOutConnections implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent<unknown>): void {
    // The driver's own error (TypeORM wraps it in a QueryFailedError only afterwards).
    if ((event.error as { code?: unknown } | undefined)?.code !== 'PROTOCOL_SEQUENCE_TIMEOUT')
      return;
    const connection = (event.queryRunner as { databaseConnection?: { destroy?: () => void } })
      .databaseConnection;
    connection?.destroy?.();
  }
}
