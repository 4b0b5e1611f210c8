mod invitation;
mod login;
