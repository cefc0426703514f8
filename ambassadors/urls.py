"""URLs of the ambassador network: the public directory, the ambassador portal under
/ambassadors/ (MFA), and the staff pages under /dashboard/. Included by portal/urls.py."""

app_name = "ambassadors"

urlpatterns = [
    # --- The public directory and the ambassador portal: profiles, activities, briefings ---
    # --- end of the portal's pages ---
    #
    # --- Leads: the ambassador's own leads and impact, and the staff pipeline ---
    # --- end of the leads' pages ---
    #
    # --- Network views for staff: coverage, target markets, the map ---
    # --- end of the network views ---
]
