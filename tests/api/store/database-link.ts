import net from 'node:net';

/**
 * A TCP link between the api and PostgreSQL that a test can cut and restore: while cut,
 * every connection is dropped and new ones are refused, as when the server restarts or
 * fails over. PostgreSQL itself keeps running for everyone else.
 */
export class DatabaseLink {
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;

  private constructor(
    private readonly server: net.Server,
    private readonly target: URL,
    readonly port: number,
  ) {}

  static async open(databaseUrl: string): Promise<DatabaseLink> {
    const target = new URL(databaseUrl);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const link = new DatabaseLink(server, target, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => link.accept(client));
    return link;
  }

  /** The database URL through this link. */
  get url(): string {
    const url = new URL(this.target.toString());
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(this.target.port) || 5432, this.target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
