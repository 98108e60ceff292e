import {
  Body,
  Controller,
  Get,
  Injectable,
  Logger,
  MiddlewareConsumer,
  Module,
  NestMiddleware,
  NestModule,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppModule } from '../src/app.module';
import { ApiPublic, BODY_PROBLEMS } from '../src/common/api-docs';
import { Public } from '../src/common/public.decorator';
import { captureStdout } from './support/log-capture';
import { startTestApp, TestApp } from './support/test-app';

/** A team's own middleware, applied to every route as Nest's docs show. */
@Injectable()
class StampMiddleware implements NestMiddleware {
  use(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
    response.setHeader('X-Stamped', 'yes');
    next();
  }
}

class NoteTaken {
  @ApiProperty({ enum: [true] })
  ok: true;
}

class NoteDto {
  @IsString()
  note: string;
}

/** App code that logs through Nest's Logger after an await, naming no request. */
@Injectable()
class NotesService {
  private readonly logger = new Logger('Notes');

  async take(note: string): Promise<void> {
    await sleep(5);
    this.logger.log(`note taken: ${note}`);
  }
}

/** Documented like any route of the app: the tests' responses are checked against it too. */
@Public()
@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  @ApiPublic({ summary: 'Peek at the notes' })
  @ApiOkResponse({ type: NoteTaken })
  async peek(): Promise<{ ok: true }> {
    await this.notes.take('peek');
    return { ok: true };
  }

  @Post()
  @ApiPublic({ summary: 'Take a note' }, ...BODY_PROBLEMS)
  @ApiCreatedResponse({ type: NoteTaken })
  async take(@Body() body: NoteDto): Promise<{ ok: true }> {
    await this.notes.take(body.note);
    return { ok: true };
  }

  @Get('broken')
  @ApiPublic({ summary: 'Always fails' })
  async broken(): Promise<never> {
    await sleep(1);
    throw new Error('notes are broken');
  }
}

@Module({ imports: [AppModule], controllers: [NotesController], providers: [NotesService] })
class AppWithNotes implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(StampMiddleware).forRoutes('{*path}');
  }
}

/** The app with a test module around it, logging at `info`, its JSON lines captured. */
describe('Nest middleware and per-request log context', () => {
  let t: TestApp;
  let logs: ReturnType<typeof captureStdout>;
  const id = (name: string) => `ctx-${name}-${process.pid}`;

  beforeAll(async () => {
    logs = captureStdout();
    t = await startTestApp({ LOG_LEVEL: 'info' }, AppWithNotes);
    // Nest buffers its Logger's lines until listen(), which the tests never call (supertest).
    t.app.flushLogs();
  });
  afterAll(async () => {
    await t.close();
    logs.restore();
  });
  beforeEach(() => logs.reset());
  const lines = () => logs.lines();

  it("runs a Nest middleware on the app's own routes and on the added ones", async () => {
    const health = await t.http.get('/health/live');
    expect(health.headers['x-stamped']).toBe('yes');
    const notes = await t.http.post('/notes').send({ note: 'hello' }).expect(201);
    expect(notes.headers['x-stamped']).toBe('yes');
    const missing = await t.http.get('/users/me').expect(401);
    expect(missing.headers['x-stamped']).toBe('yes');
  });

  it("gives a line logged by app code the request's id, bodies and overlapping requests too", async () => {
    await Promise.all([
      t.http.get('/notes').set('X-Request-Id', id('get')).expect(200),
      t.http.post('/notes').set('X-Request-Id', id('post')).send({ note: 'posted' }).expect(201),
      t.http.post('/notes').set('X-Request-Id', id('other')).send({ note: 'other' }).expect(201),
    ]);
    const taken = lines().filter((line) => line.msg?.startsWith('note taken'));
    expect(taken.map((line) => [line.msg, line.context, line.req?.id]).sort()).toEqual([
      ['note taken: other', 'Notes', id('other')],
      ['note taken: peek', 'Notes', id('get')],
      ['note taken: posted', 'Notes', id('post')],
    ]);
  });

  it('writes exactly one request line per answer, with the id, path and status', async () => {
    const answer = await t.http.get('/notes?token=one-time-secret').expect(200);
    const generated = answer.headers['x-request-id'];
    await t.http.get('/').set('X-Request-Id', id('root')).expect(200);
    const requestLines = lines().filter((line) => line.res);
    expect(requestLines).toHaveLength(2);
    expect(requestLines.find((line) => line.req?.id === generated)).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', path: '/notes' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(requestLines.find((line) => line.req?.id === id('root'))).toMatchObject({
      msg: 'request completed',
    });
    expect(logs.text()).not.toContain('one-time-secret');
  });

  it('logs a failure and its 5xx request line at error, both with the request id', async () => {
    await t.http.get('/notes/broken').set('X-Request-Id', id('broken')).expect(500);
    const ofRequest = lines().filter((line) => line.req?.id === id('broken'));
    expect(ofRequest.map((line) => [line.level, line.msg])).toEqual([
      [50, 'Unhandled error'],
      [50, 'request errored'],
    ]);
    expect(ofRequest[1].res).toEqual({ statusCode: 500 });
  });
});
