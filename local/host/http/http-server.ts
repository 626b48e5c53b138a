import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InflightWork } from '../inflight.js';
import { describeError, type HostLogger } from '../logger.js';
import type { HttpDispatcher } from './http-dispatch.js';

/** The listening side of the host: accepts requests, counts them as in-flight work, stops gracefully. */
export class LocalHttpServer {
  readonly #server: http.Server;
  readonly #inflight: InflightWork;
  readonly #logger: HostLogger;
  #stopping = false;

  constructor(dispatcher: HttpDispatcher, inflight: InflightWork, logger: HostLogger) {
    this.#inflight = inflight;
    this.#logger = logger;
    this.#server = http.createServer((req, res) => {
      void this.#inflight.track(
        dispatcher
          .handle(req, res)
          .catch((error: unknown) => {
            this.#logger.error('Host.Http', 'Unhandled request failure', describeError(error));
            if (!res.headersSent) {
              res.statusCode = 500;
            }
            res.destroy();
          }),
      );
    });
    this.#server.on('clientError', (error, socket) => {
      if (socket.writable) {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      }
      this.#logger.log('debug', 'Host.Http', 'Malformed request', describeError(error));
    });
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  async listen(port: number, host: string | undefined): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('The HTTP server has no TCP address.');
    }
    return address;
  }

  /** Stops accepting connections; requests already in progress keep their connection. */
  beginStop(): Promise<void> {
    this.#stopping = true;
    return new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  /** After in-flight work finished or timed out: drop whatever connections remain. */
  closeConnections(): void {
    this.#server.closeIdleConnections();
    this.#server.closeAllConnections();
  }
}
