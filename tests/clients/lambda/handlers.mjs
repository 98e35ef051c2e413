// Cognito trigger handlers as a user would write them: they return the event.

// Confirms users of example.com; refuses others.
export const preSignUp = async (event) => {
  const email = event.request.userAttributes.email ?? '';
  if (!email.endsWith('@example.com')) {
    throw new Error(`Sign-ups from ${email.split('@')[1]} are closed`);
  }
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = true;
  return event;
};

// Writes its own invitation.
export const customMessage = async (event) => {
  if (event.triggerSource === 'CustomMessage_AdminCreateUser') {
    const { usernameParameter, codeParameter } = event.request;
    event.response.emailSubject = 'Welcome aboard';
    event.response.emailMessage = `Hello ${usernameParameter}, your password is ${codeParameter}`;
  }
  return event;
};
