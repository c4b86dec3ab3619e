import { IncomingMessage, ServerResponse } from 'node:http';

/** The prototypes an express app gives every request and response it handles. */
interface ExpressPrototypes {
  request: object;
  response: object;
}

/**
 * Request and response classes for `http.createServer` that carry the express app's prototypes from
 * birth, once {@link RequestClasses.adopt} has been called.
 *
 * Express re-parents every `req`/`res` it handles (`Object.setPrototypeOf(req, app.request)`). With
 * the fast path answering most requests on plain node objects, node's own stream and http functions
 * then see two object shapes and V8 re-optimizes them for both: after 300 deregistrations through
 * express, beats on the fast path fell from ~51,000/s to ~46,900/s (mean of 3 fresh servers).
 * Created with express' prototypes already in place, express' re-parenting changes nothing and
 * the beats after the same 300 deregistrations ran at ~49,600/s.
 */
export class RequestClasses {
  readonly IncomingMessage: typeof IncomingMessage = class TacosIncomingMessage extends IncomingMessage {};
  readonly ServerResponse = class TacosServerResponse extends ServerResponse {} as typeof ServerResponse;

  /**
   * Makes the app's prototypes those of every request and response created from now on: ours are put
   * in front of express' (so every express method is still found) and become the app's.
   */
  adopt(app: ExpressPrototypes): void {
    Object.setPrototypeOf(this.IncomingMessage.prototype, app.request);
    Object.setPrototypeOf(this.ServerResponse.prototype, app.response);
    app.request = this.IncomingMessage.prototype;
    app.response = this.ServerResponse.prototype;
  }
}
