import { UserFacingError } from '../common/errors';

export { SignInRequiredError, isSignInRequired } from '../common/errors';

/** A sign-in did not finish: the callback was rejected, it expired, or the authorization server refused. */
export class SignInFailedError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'SignInFailedError';
  }
}
