mod case;
mod desk;
mod invitation;
mod login;
mod referral;
