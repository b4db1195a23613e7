//! The container fabrics of the two seeds, built in namespaces with real
//! FRR and neighd: [`seed004`] (spines, leaves, servers with macvlan
//! containers) and [`seed000`] (a router and nodes with bridged
//! containers), the [`container`] both use, the consistency [`check`]
//! every test runs, and what tests watch while they change the fabric:
//! background pings ([`traffic`]) and kernel route changes ([`monitor`]).

pub mod check;
pub mod container;
pub mod monitor;
pub mod seed000;
pub mod seed004;
pub mod traffic;
