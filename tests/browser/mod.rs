mod desk;
mod invitation;
mod login;
