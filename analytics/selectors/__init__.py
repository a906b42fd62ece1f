"""Reads behind the analytics endpoints, the staff console and the
usage_report command, one module per report.

Each report costs a fixed number of queries whatever the number of contracts
or users: one for the organization's contracts and one aggregate grouped by
contract (and month). Monthly active users are counted from MonthlyActivity
and inactive users and renewals' recently active users read from
LatestActivity, the rollups that ingestion keeps beside Activity, so that no
report reads every day of a year (or a month) of activity.
"""
