mod accessibility;
mod assembly;
mod case;
mod desk;
mod invitation;
mod login;
mod referral;
mod reports;
